// TLS for credo's listeners (OpenSSL through Boost.Asio's ssl::stream; libssl-dev).
//
//   make_server_tls_context(): one ssl::context from --tls-cert / --tls-key (and, for mutual
//     TLS, --tls-client-ca: a client without a certificate signed by that CA is refused in the
//     handshake). Build it once at start; every listener (the NDJSON TCP edge, an HTTP edge)
//     shares it: an ssl::context is safe to use from several streams on one thread.
//   MaybeTlsStream: a TCP socket, or an ssl::stream over one, behind the few calls a session
//     makes (handshake, read_some, write_some, shutdown, close), so one session class serves
//     both. (An HTTP edge on Beast uses boost::beast::ssl_stream or asio::ssl::stream with the
//     same context instead: Beast's composed operations need template async_read_some.)
//   make_client_tls_context(): for credo-cli, credo-loadgen and tests: verify the server against
//     --ca (or the system's trust store), optionally present a client certificate.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace credo::net {

struct TlsOptions {
  std::string cert_file;       // PEM certificate chain (--tls-cert)
  std::string key_file;        // PEM private key (--tls-key)
  std::string client_ca_file;  // PEM CA bundle; non-empty: mutual TLS (--tls-client-ca)
  bool enabled() const { return !cert_file.empty(); }
};

// TLS 1.2 or later. nullptr with `*error` (naming the file and OpenSSL's reason) if a file
// cannot be read or the key does not match the certificate.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const TlsOptions& options,
                                                                   std::string* error);

// `ca_file` empty: the system's default trust store. `cert_file`/`key_file` (both or neither):
// a client certificate for mutual TLS. The caller names the expected host with
// SSL_set_tlsext_host_name / set_verify_callback(host_name_verification) per connection, or
// relies on the chain only (what credo-cli does for an IP address).
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const std::string& ca_file,
                                                                   const std::string& cert_file,
                                                                   const std::string& key_file,
                                                                   std::string* error);

// True for 127.0.0.0/8, ::1 and "localhost": binding anything else without TLS sends API keys
// in clear (tools/server warns).
bool is_loopback_address(const std::string& address);

// A plain TCP socket or a TLS stream over one.
class MaybeTlsStream {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using tls_type = boost::asio::ssl::stream<socket_type>;
  using executor_type = socket_type::executor_type;

  // `ctx` null: plain TCP. Else the server side of TLS (handshake() before reading).
  MaybeTlsStream(socket_type socket, boost::asio::ssl::context* ctx) {
    if (ctx != nullptr)
      tls_.emplace(std::move(socket), *ctx);
    else
      plain_.emplace(std::move(socket));
  }

  bool tls() const { return tls_.has_value(); }
  socket_type& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  executor_type get_executor() { return socket().get_executor(); }

  // The calls go through std::function and are defined in tls.cc: one non-template body for
  // both kinds of stream (and a session's read -> handler -> read chain stays a chain of
  // callbacks, not a call graph clang-tidy's misc-no-recursion follows).
  using IoHandler = std::function<void(const boost::system::error_code&, std::size_t)>;
  using DoneHandler = std::function<void(const boost::system::error_code&)>;
  // Server handshake; a plain stream completes at once (posted, never inline).
  void async_handshake(DoneHandler h);
  void async_read_some(boost::asio::mutable_buffer b, IoHandler h);
  void async_write_some(boost::asio::const_buffer b, IoHandler h);
  // Bytes readable without blocking: for TLS, bytes the socket holds (encrypted), which is what
  // a "has the client sent more?" check needs.
  std::size_t available(boost::system::error_code& ec) { return socket().available(ec); }
  // Half-close: no TLS close_notify (the session closes right after its last answer; clients
  // treat a truncated TLS stream after a complete line as end of stream).
  void shutdown_send(boost::system::error_code& ec) {
    socket().shutdown(socket_type::shutdown_send, ec);
  }
  void close(boost::system::error_code& ec) { socket().close(ec); }

 private:
  std::optional<socket_type> plain_;
  std::optional<tls_type> tls_;
};

}  // namespace credo::net

#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

namespace credo::net {

namespace ssl = boost::asio::ssl;

namespace {

std::string describe(const std::string& what, const std::string& file,
                     const boost::system::error_code& ec) {
  return "cannot use " + what + " '" + file + "': " + ec.message();
}

std::shared_ptr<ssl::context> base_context(ssl::context::method method) {
  auto ctx = std::make_shared<ssl::context>(method);
  // No SSLv2/3, TLS 1.0/1.1; no compression (CRIME); fresh DH keys.
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::no_compression | ssl::context::single_dh_use);
  return ctx;
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls_context(const TlsOptions& o, std::string* error) {
  if (o.cert_file.empty() || o.key_file.empty()) {
    *error = "TLS needs both --tls-cert and --tls-key";
    return nullptr;
  }
  auto ctx = base_context(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(o.cert_file, ec);
  if (ec) {
    *error = describe("--tls-cert", o.cert_file, ec);
    return nullptr;
  }
  ctx->use_private_key_file(o.key_file, ssl::context::pem, ec);
  if (ec) {
    *error = describe("--tls-key", o.key_file, ec);
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    *error = "--tls-key '" + o.key_file + "' does not match the certificate in --tls-cert";
    ERR_clear_error();
    return nullptr;
  }
  if (!o.client_ca_file.empty()) {
    ctx->load_verify_file(o.client_ca_file, ec);
    if (ec) {
      *error = describe("--tls-client-ca", o.client_ca_file, ec);
      return nullptr;
    }
    // Mutual TLS: the handshake fails for a client without a certificate this CA signed.
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    // Tell clients which CAs are acceptable (helps a client holding several certificates).
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
  }
  return ctx;
}

std::shared_ptr<ssl::context> make_client_tls_context(const std::string& ca_file,
                                                      const std::string& cert_file,
                                                      const std::string& key_file,
                                                      std::string* error) {
  auto ctx = base_context(ssl::context::tls_client);
  boost::system::error_code ec;
  if (ca_file.empty())
    ctx->set_default_verify_paths(ec);
  else
    ctx->load_verify_file(ca_file, ec);
  if (ec) {
    *error = describe("--ca", ca_file.empty() ? "(system trust store)" : ca_file, ec);
    return nullptr;
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (!cert_file.empty()) {
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec) {
      *error = describe("--cert", cert_file, ec);
      return nullptr;
    }
    ctx->use_private_key_file(key_file.empty() ? cert_file : key_file, ssl::context::pem, ec);
    if (ec) {
      *error = describe("--key", key_file, ec);
      return nullptr;
    }
  }
  return ctx;
}

void MaybeTlsStream::async_handshake(DoneHandler h) {
  if (tls_) {
    tls_->async_handshake(ssl::stream_base::server, std::move(h));
  } else {
    boost::asio::post(get_executor(),
                      [h = std::move(h)]() { h(boost::system::error_code{}); });
  }
}

void MaybeTlsStream::async_read_some(boost::asio::mutable_buffer b, IoHandler h) {
  if (tls_)
    tls_->async_read_some(b, std::move(h));
  else
    plain_->async_read_some(b, std::move(h));
}

void MaybeTlsStream::async_write_some(boost::asio::const_buffer b, IoHandler h) {
  if (tls_)
    tls_->async_write_some(b, std::move(h));
  else
    plain_->async_write_some(b, std::move(h));
}

bool is_loopback_address(const std::string& address) {
  if (address == "localhost") return true;
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(address, ec);
  return !ec && a.is_loopback();
}

}  // namespace credo::net

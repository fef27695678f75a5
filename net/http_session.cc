// The HTTP edge's connection (docs/http.md). Beast parses each request (start line, headers,
// chunked or sized body, with the header and body bounds); the rest is the TCP session's
// design: slots in request order, flow control by not reading, answers written in order.
#include "net/http_session.h"

#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <type_traits>

#include "engine/authority.h"
#include "net/http_local.h"
#include "net/http_request.h"
#include "net/http_response.h"
#include "net/http_routes.h"
#include "net/json_writer.h"
#include "net/server_responses.h"
#include "net/slot_ring.h"

namespace credo::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using TlsSocket = asio::ssl::stream<tcp::socket>;

namespace {

// Beast's string_view (Boost's, in 1.74) as the standard one.
std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}

// Three requests with a bad key close the connection, as three failed hellos do over TCP.
constexpr int kMaxFailedAuth = 3;
// An output buffer that grew beyond this (one huge report) is released after it is written.
constexpr std::size_t kOutputKeep = 1u << 20;

// The handlers below call each other through Asio completions (read -> pump -> write -> pump),
// never on one stack: clang-tidy sees the template's handlers inline and calls it recursion.
// NOLINTBEGIN(misc-no-recursion)
template <typename Stream>
class HttpSession : public Connection, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(IoShared& shared, Stream stream)
      : shared_(shared),
        stream_(std::move(stream)),
        read_timer_(shared.io),
        write_timer_(shared.io),
        buffer_(shared.options.http_max_header_bytes + shared.options.max_line_bytes + 65536) {}

  void start() {
    boost::system::error_code ec;
    beast::get_lowest_layer(stream_).set_option(tcp::no_delay(true), ec);
    if (shared_.keys.empty()) principal_ = Principal{Key::of("local"), kRoleAdmin, kMaxLevel};
    if constexpr (std::is_same_v<Stream, TlsSocket>) {
      // TLS (--tls-cert, the same context as the TCP listener's): handshake first, within the
      // idle timeout; a failed handshake (no client certificate under mutual TLS, plain text on
      // the TLS port) closes the connection.
      read_timer_.expires_after(std::chrono::milliseconds(shared_.options.http_idle_timeout_ms));
      read_timer_.async_wait([s = self()](const boost::system::error_code& e) {
        if (!e && !s->handshaken_) s->close();
      });
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [s = self()](const boost::system::error_code& e) {
                                if (s->closed_) return;
                                s->handshaken_ = true;
                                s->read_timer_.cancel();
                                if (e) {
                                  s->close();
                                  return;
                                }
                                s->read_more();
                              });
    } else {
      read_more();
    }
  }

  void complete(uint64_t req_no, Answer&& answer) override {
    if (closed_) return;
    Slot& slot = slots_[req_no - first_req_no_];
    slot.answer = std::move(answer);
    slot.from_engine = true;
    slot.ready = true;
    pump();
  }

  void drain() override {
    if (closed_) return;
    input_done_ = true;
    maybe_finish();
  }

 private:
  struct Slot {
    std::string response;  // a whole HTTP response written at the edge, or:
    Answer answer;         // the engine's answer, written when the slot reaches the front
    bool from_engine = false;
    bool ready = false;
    bool close = false;  // the connection ends after this response
    int8_t op = -1;
    ErrorCode code = ErrorCode::OK;  // of an edge response, for the metrics
    std::chrono::steady_clock::time_point received;
  };

  auto self() { return this->shared_from_this(); }

  bool may_take_input() const {
    return !input_done_ && !closed_ && slots_.size() < shared_.options.max_inflight_per_connection &&
           out_next_.size() < shared_.options.max_output_bytes_per_connection;
  }

  void read_more() {
    if (reading_ || !may_take_input()) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.http_max_header_bytes));
    parser_->body_limit(shared_.options.max_line_bytes);
    reading_ = true;
    arm_read_timer();
    // The head first, so that a client that asks `Expect: 100-continue` (curl does for bodies
    // over 1 KiB) is told to send its body instead of waiting a second for it.
    http::async_read_header(stream_, buffer_, *parser_,
                            [s = self()](const boost::system::error_code& ec, std::size_t) {
                              s->on_header(ec);
                            });
  }

  void on_header(const boost::system::error_code& ec) {
    if (ec || closed_ || input_done_ || parser_->is_done()) {
      on_read(ec);
      return;
    }
    // Only when nothing is pending on this connection: an interim 100 must not overtake the
    // answers to earlier pipelined requests (a client that did not get it sends the body anyway,
    // RFC 9110 10.1.1).
    if (slots_.empty() && !writing_ && out_next_.empty() &&
        beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      out_next_.append("HTTP/1.1 100 Continue\r\n\r\n");
      write_more();
    }
    http::async_read(stream_, buffer_, *parser_,
                     [s = self()](const boost::system::error_code& e, std::size_t) {
                       s->on_read(e);
                     });
  }

  void arm_read_timer() {
    const uint64_t gen = ++read_timer_gen_;
    read_timer_.expires_after(std::chrono::milliseconds(shared_.options.http_idle_timeout_ms));
    read_timer_.async_wait([s = self(), gen](const boost::system::error_code& ec) {
      if (ec || s->closed_ || gen != s->read_timer_gen_ || !s->reading_) return;
      if (!s->slots_.empty() || s->writing_) {
        s->arm_read_timer();  // answering: the client waits for us, not we for it
        return;
      }
      if (s->parser_ && s->parser_->got_some()) {
        // A slow client: part of a request, never the rest.
        s->edge_error(Error{ErrorCode::BAD_REQUEST,
                            "request not complete within " +
                                std::to_string(s->shared_.options.http_idle_timeout_ms) + " ms",
                            "", {}},
                      408);
        s->pump();
        return;
      }
      s->close();  // idle keep-alive connection
    });
  }

  void on_read(const boost::system::error_code& ec) {
    reading_ = false;
    read_timer_gen_++;
    if (closed_ || input_done_) {
      maybe_finish();
      return;
    }
    if (ec) {
      if (ec == http::error::end_of_stream || ec == asio::error::eof) {
        input_done_ = true;  // answer what was read, then close
      } else if (ec == http::error::body_limit) {
        edge_error(Error{ErrorCode::LINE_TOO_LONG,
                         "request body longer than " +
                             std::to_string(shared_.options.max_line_bytes) +
                             " bytes; closing the connection",
                         "", {}},
                   413);
      } else if (ec == http::error::header_limit || ec == asio::error::no_buffer_space ||
                 ec == http::error::buffer_overflow) {
        edge_error(Error{ErrorCode::LINE_TOO_LONG,
                         "request headers longer than " +
                             std::to_string(shared_.options.http_max_header_bytes) +
                             " bytes; closing the connection",
                         "", {}},
                   431);
      } else if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        edge_error(Error{ErrorCode::BAD_REQUEST, "malformed HTTP request: " + ec.message(), "", {}},
                   400);
      } else {
        close();  // reset by peer etc.: nobody is left to answer
        return;
      }
      pump();
      return;
    }
    auto req = parser_->release();
    const bool keep_alive = req.keep_alive();
    handle_request(req);
    if (!keep_alive) {
      input_done_ = true;
      if (!slots_.empty()) slots_.back().close = true;
    }
    pump();
  }

  // An error found before or instead of a request: answered in order, and the connection ends.
  void edge_error(const Error& e, unsigned status) {
    Slot& slot = new_slot();
    std::string body;
    write_error(body, "", e);
    append_http_response(slot.response, status, error_headers(e.code), body, true);
    slot.ready = true;
    slot.close = true;
    input_done_ = true;
  }

  Slot& new_slot() {
    slots_.emplace_back();
    next_req_no_++;
    slots_.back().received = std::chrono::steady_clock::now();
    return slots_.back();
  }

  void answer_error(Slot& slot, const Error& e, std::string_view id_json,
                    std::string_view extra_headers = {}, unsigned status = 0) {
    slot.code = e.code;
    if (status == 0) {
      append_error_response(slot.response, e, id_json, false, extra_headers);
    } else {
      std::string body;
      write_error(body, id_json, e);
      append_http_response(slot.response, status, extra_headers, body, false);
    }
    slot.ready = true;
  }

  void answer_json(Slot& slot, unsigned status, std::string_view body) {
    append_http_response(slot.response, status, {}, body, false);
    slot.ready = true;
  }

  void handle_request(const http::request<http::string_body>& req) {
    Slot& slot = new_slot();
    const uint64_t req_no = next_req_no_ - 1;
    const std::string_view target = sv(req.target());
    const std::size_t qmark = target.find('?');
    const std::string_view path = target.substr(0, qmark);
    const std::string_view query =
        qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);

    if (const auto inm = req.find(http::field::if_none_match);
        serve_local(shared_, slot.response, sv(req.method_string()), path,
                    inm == req.end() ? std::string_view{} : sv(inm->value()), &slot.code)) {
      slot.ready = true;
      return;
    }
    if (!path.starts_with(kHttpApiPrefix) ||
        (path.size() > kHttpApiPrefix.size() && path[kHttpApiPrefix.size()] != '/')) {
      answer_error(slot, Error{ErrorCode::NOT_FOUND, "no such path: " + std::string(path) +
                                                         " (the API is under /v1)", "", {}},
                   "");
      return;
    }
    RouteMatch route = match_route(sv(req.method_string()), path.substr(kHttpApiPrefix.size()));
    if (route.kind == RouteMatch::Kind::not_found) {
      answer_error(slot, Error{ErrorCode::NOT_FOUND, "no such path: " + std::string(path), "", {}},
                   "");
      return;
    }
    if (route.kind == RouteMatch::Kind::wrong_method) {
      answer_error(slot,
                   Error{ErrorCode::BAD_REQUEST,
                         std::string(sv(req.method_string())) + " is not allowed on " +
                             std::string(path) + "; allowed: " + route.allow,
                         "", {}},
                   "", "Allow: " + route.allow + "\r\n", 405);
      return;
    }

    // Who asks: the bearer key, compared in constant time by the key store.
    const auto auth = req.find(http::field::authorization);
    const bool open = kOps[route.op].access == Access::open;
    Principal principal = principal_;
    if (!shared_.keys.empty()) {
      if (auth == req.end()) {
        if (!open) {
          answer_error(slot,
                       Error{ErrorCode::UNAUTHENTICATED,
                             "send the API key as Authorization: Bearer <key>", "", {}},
                       "");
          return;
        }
      } else {
        std::string_view value = sv(auth->value());
        constexpr std::string_view kBearer = "Bearer ";
        const bool bearer = value.size() > kBearer.size() &&
                            beast::iequals(beast::string_view(value.data(), kBearer.size()),
                                           beast::string_view(kBearer.data(), kBearer.size()));
        if (!bearer || !shared_.keys.lookup(value.substr(kBearer.size()), &principal)) {
          if (++failed_auth_ >= kMaxFailedAuth) {
            input_done_ = true;
            slot.close = true;
          }
          answer_error(slot,
                       Error{ErrorCode::UNAUTHENTICATED,
                             bearer ? "unknown key" : "the Authorization header must be Bearer <key>",
                             "key", {}},
                       "");
          return;
        }
      }
    }

    const auto idem = req.find("Idempotency-Key");
    Error err;
    if (!build_request_line(route, query, std::string_view(req.body()),
                            idem == req.end() ? std::string_view{} : sv(idem->value()), line_, err)) {
      answer_error(slot, err, "");
      return;
    }
    const std::size_t size = line_.size();
    line_.resize(size + kParsePadding, ' ');  // the parser reads up to kParsePadding past the end
    Request& request = shared_.request;
    const bool parsed = shared_.parser.parse(std::string_view(line_.data(), size), request, err);
    line_.resize(size);
    if (!parsed) {
      answer_error(slot, err, request.id_json);
      return;
    }
    slot.op = static_cast<int8_t>(request.op_id);
    if (request.kind == RequestKind::ping) {
      std::string body;
      write_ok(body, request.id_json);
      answer_json(slot, 200, body);
      return;
    }
    if (kOps[request.op_id].cls == OpClass::server) {
      Error denied;
      if (!authorize(request.op_id, principal, AuthFacts{}, denied)) {
        answer_error(slot, denied, request.id_json);
        return;
      }
    }
    if (request.kind == RequestKind::stats || request.kind == RequestKind::whoami) {
      std::string body;
      if (request.kind == RequestKind::whoami)
        write_hello_ok(body, request.id_json, principal);
      else
        write_stats(body, request.id_json, shared_);
      answer_json(slot, 200, body);
      return;
    }
    Job job;
    job.session = self();
    job.req_no = req_no;
    job.principal = principal;
    job.request = std::move(request);
    if (!shared_.engine.submit(std::move(job))) {
      shared_.counters.overloaded.fetch_add(1, std::memory_order_relaxed);
      answer_error(slot, Error{ErrorCode::OVERLOADED, "the engine queue is full; retry later", "", {}},
                   job.request.id_json);  // NOLINT(bugprone-use-after-move): submit() refused, kept it
    }
  }

  void pump() {
    if (pumping_ || closed_) return;
    pumping_ = true;
    const auto now = std::chrono::steady_clock::now();
    while (!slots_.empty() && slots_.front().ready) {
      Slot& s = slots_.front();
      if (s.from_engine)
        append_answer_response(out_next_, s.answer, s.close);
      else
        out_next_.append(s.response);
      const auto ns = static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - s.received).count());
      if (s.op >= 0) shared_.latency[static_cast<uint8_t>(s.op)].record(ns);
      shared_.counters.metrics.count_request(
          Edge::http, s.op >= 0 ? static_cast<std::size_t>(s.op) : kNoOp,
          s.from_engine && s.answer.kind == Answer::Kind::result ? s.answer.result.error.code
                                                                 : s.code,
          ns);
      const bool last = s.close;
      slots_.pop_front();
      first_req_no_++;
      if (last) {
        // Nothing after a closing response is answered.
        input_done_ = true;
        closing_ = true;
        slots_.clear();
        break;
      }
    }
    write_more();
    pumping_ = false;
    if (closed_) return;
    read_more();
    maybe_finish();
  }

  void write_more() {
    if (writing_ || out_next_.empty() || closed_) return;
    out_.swap(out_next_);
    out_next_.clear();
    writing_ = true;
    arm_write_timer();
    asio::async_write(stream_, asio::buffer(out_),
                      [s = self()](const boost::system::error_code& ec, std::size_t) {
                        s->on_write(ec);
                      });
  }

  void on_write(const boost::system::error_code& ec) {
    writing_ = false;
    write_timer_gen_++;
    if (closed_) return;
    if (ec) {
      close();
      return;
    }
    if (out_.capacity() > kOutputKeep) std::string().swap(out_);
    out_.clear();
    pump();
  }

  void arm_write_timer() {
    const uint64_t gen = ++write_timer_gen_;
    write_timer_.expires_after(std::chrono::milliseconds(shared_.options.write_stall_timeout_ms));
    write_timer_.async_wait([s = self(), gen](const boost::system::error_code& ec) {
      if (ec || s->closed_ || gen != s->write_timer_gen_) return;
      s->close();  // the client stopped reading its answers
    });
  }

  void maybe_finish() {
    if (closed_) return;
    if ((input_done_ || closing_) && (slots_.empty() || closing_) && !writing_ &&
        out_next_.empty()) {
      linger_close();
    }
  }

  // Closing a socket with unread input makes the kernel send a reset, which can destroy the last
  // answer (a 413 while the client still sends its body) before the client reads it: shut the
  // send side, then read and drop input until the client closes, for at most 2 s.
  void linger_close() {
    if (lingering_) return;
    lingering_ = true;
    boost::system::error_code ec;
    beast::get_lowest_layer(stream_).shutdown(tcp::socket::shutdown_send, ec);
    if (reading_ || shared_.draining) {
      close();  // a pending read (drain, idle): nothing unread to worry about
      return;
    }
    const uint64_t gen = ++write_timer_gen_;
    write_timer_.expires_after(std::chrono::milliseconds(2'000));
    write_timer_.async_wait([s = self(), gen](const boost::system::error_code& e) {
      if (!e && gen == s->write_timer_gen_) s->close();
    });
    discard_input();
  }

  void discard_input() {
    beast::get_lowest_layer(stream_).async_read_some(
        asio::buffer(discard_), [s = self()](const boost::system::error_code& e, std::size_t) {
          if (s->closed_) return;
          if (e)
            s->close();
          else
            s->discard_input();
        });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    beast::get_lowest_layer(stream_).close(ec);
    read_timer_.cancel();
    write_timer_.cancel();
    slots_.clear();
    shared_.counters.connections.fetch_sub(1, std::memory_order_relaxed);
    shared_.counters.metrics.connections[static_cast<std::size_t>(Edge::http)].fetch_sub(
        1, std::memory_order_relaxed);
    if (shared_.on_session_closed) shared_.on_session_closed();
  }

  IoShared& shared_;
  bool handshaken_ = false;  // TLS only
  Stream stream_;
  asio::steady_timer read_timer_;
  asio::steady_timer write_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string line_;  // the request line built for the parser

  SlotRing<Slot> slots_;
  uint64_t first_req_no_ = 0;
  uint64_t next_req_no_ = 0;

  std::string out_, out_next_;
  bool writing_ = false;
  bool reading_ = false;
  bool input_done_ = false;
  bool closing_ = false;
  bool pumping_ = false;
  bool closed_ = false;
  bool lingering_ = false;
  std::array<char, 4096> discard_{};
  uint64_t read_timer_gen_ = 0;
  uint64_t write_timer_gen_ = 0;

  Principal principal_;  // without keys: the local admin
  int failed_auth_ = 0;
};
// NOLINTEND(misc-no-recursion)

}  // namespace

std::shared_ptr<Connection> start_http_session(IoShared& shared, tcp::socket socket) {
  if (shared.options.tls) {
    auto session = std::make_shared<HttpSession<TlsSocket>>(
        shared, TlsSocket(std::move(socket), *shared.options.tls));
    session->start();
    return session;
  }
  auto session = std::make_shared<HttpSession<tcp::socket>>(shared, std::move(socket));
  session->start();
  return session;
}

void refuse_http_connection(tcp::socket socket) {
  auto sock = std::make_shared<tcp::socket>(std::move(socket));
  auto response = std::make_shared<std::string>();
  append_error_response(*response,
                        Error{ErrorCode::OVERLOADED, "too many connections; retry later", "", {}},
                        "", true);
  asio::async_write(*sock, asio::buffer(*response),
                    [sock, response](const boost::system::error_code&, std::size_t) {
                      boost::system::error_code ignored;
                      sock->shutdown(tcp::socket::shutdown_both, ignored);
                      sock->close(ignored);
                    });
}

}  // namespace credo::net

// One client connection (docs/protocol.md "Transport", "Envelope", "Authentication and roles").
//
// A session reads bytes, cuts them into lines, parses each line and gives it a slot in request
// order. Hello, ping, stats and every error known at the edge are answered in place; commands
// and queries go to the engine thread, which fills their slot later. Answers leave strictly in
// slot order, as many as are ready in one write.
//
// Flow control: when `max_inflight_per_connection` requests are unanswered, or
// `max_output_bytes_per_connection` of answers are unwritten, the session stops reading; TCP
// then pushes back on the client. Nothing is refused for being pipelined deeply.
#include "net/session.h"

#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstring>

#include "engine/authority.h"
#include "net/metrics.h"
#include "net/server_responses.h"

namespace credo::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
// Bytes asked of the socket per read: big enough for thousands of small requests per syscall.
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
// A connection's input buffer shrinks back to this after a long line passed through it.
constexpr std::size_t kInputKeep = 4 * kReadChunk;
// Three failed hellos close the connection (docs/protocol.md): enough for a typo, not for guessing.
constexpr int kMaxFailedHellos = 3;
// An output buffer that grew beyond this (one huge report) is released after it is written.
constexpr std::size_t kOutputKeep = 1u << 20;
}  // namespace

Session::Session(IoShared& shared, tcp::socket socket)
    : shared_(shared),
      socket_(std::move(socket), shared.options.tls.get()),
      hello_timer_(shared.io),
      write_timer_(shared.io),
      in_(kReadChunk + kParsePadding) {}

void Session::start() {
  boost::system::error_code ec;
  socket_.socket().set_option(tcp::no_delay(true), ec);
  if (shared_.keys.empty()) {
    // No keys configured: every connection is the local admin (loopback only, see main).
    authenticated_ = true;
    principal_ = Principal{Key::of("local"), kRoleAdmin, kMaxLevel};
  }
  hello_timer_.expires_after(std::chrono::milliseconds(shared_.options.hello_timeout_ms));
  hello_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->closed_) return;
    bool idle = self->shared_.keys.empty() ? self->requests_seen_ == 0 : !self->authenticated_;
    if (idle) self->close();  // also a TLS handshake that has not finished by then
  });
  socket_.async_handshake(
      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_handshake(ec); });
}

void Session::on_handshake(const boost::system::error_code& ec) {
  if (closed_) return;
  if (ec) {
    // No certificate (mutual TLS), a client that does not trust ours, plain text on a TLS port:
    // nothing was read, nobody to answer. The reason goes to stderr without any key.
    std::fprintf(stderr, "credo-server: TLS handshake failed: %s\n", ec.message().c_str());
    close();
    return;
  }
  read_more();
}

bool Session::may_take_input() const {
  return !input_done_ && !closed_ && slots_.size() < shared_.options.max_inflight_per_connection &&
         out_next_.size() < shared_.options.max_output_bytes_per_connection;
}

void Session::read_more() {
  if (reading_ || eof_ || input_blocked_ || !may_take_input()) return;
  if (in_begin_ == in_end_) in_begin_ = in_end_ = scan_ = 0;
  std::size_t room = in_.size() - kParsePadding - in_end_;
  if (room < kReadChunk) {
    // Move the unprocessed tail to the front; grow only if a single line needs the space.
    // Bounded: a line beyond max_line_bytes is refused, so the buffer stays below
    // max_line_bytes + kReadChunk + padding.
    std::size_t pending = in_end_ - in_begin_;
    if (in_begin_ > 0) {
      std::memmove(in_.data(), in_.data() + in_begin_, pending);
      scan_ -= in_begin_;
      in_begin_ = 0;
      in_end_ = pending;
    }
    if (in_.size() - kParsePadding - in_end_ < kReadChunk)
      in_.resize(in_end_ + kReadChunk + kParsePadding);
  } else if (in_.size() > kInputKeep + kParsePadding && in_end_ - in_begin_ < kReadChunk) {
    std::vector<char> small(kInputKeep + kParsePadding);
    std::memcpy(small.data(), in_.data() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    scan_ -= in_begin_;
    in_begin_ = 0;
    in_.swap(small);
  }
  reading_ = true;
  socket_.async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - kParsePadding - in_end_),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      std::size_t n) { self->on_read(ec, n); });
}

void Session::on_read(const boost::system::error_code& ec, std::size_t n) {
  reading_ = false;
  if (closed_) return;
  if (lingering_) {
    if (ec)
      close();
    else
      discard_input();
    return;
  }
  // A TLS client that half-closes without close_notify reads as stream_truncated: the same end
  // of input as EOF (its complete lines are still answered).
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    eof_ = true;  // answer everything already sent, then close
  } else if (ec) {
    close();  // reset by peer etc.: nobody is left to answer
    return;
  }
  in_end_ += n;
  process_input();
  pump();
}

void Session::process_input() {
  input_blocked_ = false;
  const std::size_t max_line = shared_.options.max_line_bytes;
  while (!input_done_) {
    if (!may_take_input()) {
      input_blocked_ = true;  // resumed by pump() once answers drain
      return;
    }
    char* nl = static_cast<char*>(std::memchr(in_.data() + scan_, '\n', in_end_ - scan_));
    if (nl == nullptr) {
      scan_ = in_end_;
      std::size_t pending = in_end_ - in_begin_;
      if (pending > max_line) {
        line_too_long();
      } else if (eof_) {
        // A last line without '\n' before EOF still counts as a request.
        if (pending > 0) handle_line(std::string_view(in_.data() + in_begin_, pending));
        in_begin_ = scan_ = in_end_;
        input_done_ = true;
      }
      return;
    }
    std::size_t line_len = static_cast<std::size_t>(nl - (in_.data() + in_begin_));
    std::string_view line(in_.data() + in_begin_, line_len);
    in_begin_ = scan_ = line_len + in_begin_ + 1;
    if (line_len > max_line) {
      line_too_long();
      return;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;  // blank lines are ignored (keep-alive friendly)
    handle_line(line);
  }
}

void Session::line_too_long() {
  // Nothing of the line is applied; the rest of the stream cannot be trusted to be framed, so
  // the connection ends after the answers already owed and this one.
  slots_.emplace_back();
  Slot& slot = slots_.back();
  next_req_no_++;
  slot.received = std::chrono::steady_clock::now();
  answer(slot,
         Error{ErrorCode::LINE_TOO_LONG,
               "request line longer than " + std::to_string(shared_.options.max_line_bytes) +
                   " bytes; closing the connection",
               "", {}},
         "");
  input_done_ = true;
  in_begin_ = in_end_ = scan_ = 0;
}

void Session::answer(Slot& slot, const Error& e, std::string_view id_json) {
  write_error(slot.response, id_json, e);
  slot.code = e.code;
  slot.ready = true;
}

void Session::handle_line(std::string_view line) {
  requests_seen_++;
  uint64_t req_no = next_req_no_++;
  slots_.emplace_back();
  Slot& slot = slots_.back();
  slot.received = std::chrono::steady_clock::now();

  Request& req = shared_.request;
  Error err;
  if (!shared_.parser.parse(line, req, err)) {
    // The op's name may have been read before the refusal: count the request under it.
    if (!req.op.empty() && req.op_id < kOpCount && kOps[req.op_id].name == req.op)
      slot.refused_op = static_cast<int8_t>(req.op_id);
    answer(slot, err, req.id_json);
    return;
  }
  slot.op = static_cast<int8_t>(req.op_id);
  switch (req.kind) {
    case RequestKind::ping:
      write_ok(slot.response, req.id_json);
      slot.ready = true;
      return;
    case RequestKind::hello:
      handle_hello(slot, req);
      return;
    default:
      break;
  }
  if (!authenticated_ && kOps[req.op_id].access != Access::open) {
    answer(slot, Error{ErrorCode::UNAUTHENTICATED, "say hello with a key first", "", {}}, req.id_json);
    return;
  }
  // The engine asks authority for commands and queries; the server's own ops ask here, of the
  // same function (engine/authority.h).
  if (kOps[req.op_id].cls == OpClass::server) {
    Error denied;
    if (!authorize(req.op_id, principal_, AuthFacts{}, denied)) {
      answer(slot, denied, req.id_json);
      return;
    }
  }
  if (req.kind == RequestKind::stats) {
    write_stats(slot.response, req.id_json, shared_);
    slot.ready = true;
    return;
  }
  if (req.kind == RequestKind::whoami) {
    write_hello_ok(slot.response, req.id_json, principal_);
    slot.ready = true;
    return;
  }
  if (req.kind == RequestKind::metrics) {
    write_metrics_ok(slot.response, req.id_json,
                     render_metrics(shared_.counters, shared_.log, shared_.engine.queued()));
    slot.ready = true;
    return;
  }
  Job job;
  job.session = shared_from_this();
  job.req_no = req_no;
  job.principal = principal_;
  job.request = std::move(req);
  if (!shared_.engine.submit(std::move(job))) {
    // submit() leaves the job untouched when it refuses it.
    shared_.counters.overloaded.fetch_add(1, std::memory_order_relaxed);
    answer(slot, Error{ErrorCode::OVERLOADED, "the engine queue is full; retry later", "", {}},
           job.request.id_json);  // NOLINT(bugprone-use-after-move): submit() refused, kept it
  }
}

void Session::handle_hello(Slot& slot, const Request& req) {
  Principal p;
  if (!shared_.keys.empty() && shared_.keys.lookup(req.key, &p)) {
    authenticated_ = true;
    principal_ = p;
    hello_timer_.cancel();
    write_hello_ok(slot.response, req.id_json, principal_);
    slot.ready = true;
    return;
  }
  if (shared_.keys.empty()) {
    // No keys configured: hello is accepted as a courtesy, the principal stays "local".
    write_hello_ok(slot.response, req.id_json, principal_);
    slot.ready = true;
    return;
  }
  failed_hellos_++;
  answer(slot, Error{ErrorCode::UNAUTHENTICATED, "unknown key", "key", {}}, req.id_json);
  if (failed_hellos_ >= kMaxFailedHellos) input_done_ = true;  // close after this answer
}

void Session::complete(uint64_t req_no, Answer&& answer) {
  if (closed_) return;
  Slot& slot = slots_[req_no - first_req_no_];
  slot.answer = std::move(answer);
  slot.from_engine = true;
  slot.ready = true;
  pump();
}

void Session::pump() {
  if (pumping_ || closed_) return;
  pumping_ = true;
  while (true) {
    auto now = std::chrono::steady_clock::now();
    while (!slots_.empty() && slots_.front().ready) {
      Slot& s = slots_.front();
      if (s.from_engine)
        write_answer(out_next_, s.answer);
      else
        out_next_.append(s.response);
      const auto ns = static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - s.received).count());
      if (s.op >= 0) shared_.latency[static_cast<uint8_t>(s.op)].record(ns);
      const int8_t op = s.op >= 0 ? s.op : s.refused_op;
      shared_.counters.metrics.count_request(
          Edge::tcp, op >= 0 ? static_cast<std::size_t>(op) : kNoOp,
          s.from_engine ? s.answer.result.error.code : s.code, ns);
      slots_.pop_front();
      first_req_no_++;
    }
    write_more();
    if (input_blocked_ && may_take_input()) {
      process_input();
      continue;  // lines answered in place may be ready now
    }
    break;
  }
  pumping_ = false;
  if (closed_) return;
  read_more();
  maybe_finish();
}

void Session::write_more() {
  if (writing_ || out_next_.empty() || closed_) return;
  out_.swap(out_next_);
  out_next_.clear();
  out_written_ = 0;
  writing_ = true;
  arm_write_timer();
  socket_.async_write_some(asio::buffer(out_.data(), out_.size()),
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       std::size_t n) { self->on_write(ec, n); });
}

void Session::on_write(const boost::system::error_code& ec, std::size_t n) {
  if (closed_) return;
  if (ec) {
    close();
    return;
  }
  out_written_ += n;
  if (out_written_ < out_.size()) {
    arm_write_timer();  // progress: the client reads, however slowly
    socket_.async_write_some(asio::buffer(out_.data() + out_written_, out_.size() - out_written_),
                             [self = shared_from_this()](const boost::system::error_code& ec,
                                                         std::size_t n) { self->on_write(ec, n); });
    return;
  }
  writing_ = false;
  write_timer_gen_++;
  write_timer_.cancel();
  if (out_.capacity() > kOutputKeep) std::string().swap(out_);
  out_.clear();
  pump();
}

void Session::arm_write_timer() {
  uint64_t gen = ++write_timer_gen_;
  write_timer_.expires_after(std::chrono::milliseconds(shared_.options.write_stall_timeout_ms));
  write_timer_.async_wait([self = shared_from_this(), gen](const boost::system::error_code& ec) {
    if (ec || self->closed_ || gen != self->write_timer_gen_) return;
    // No byte written for the whole timeout: the client stopped reading. Its answers would pin
    // memory forever; drop the connection.
    self->close();
  });
}

void Session::maybe_finish() {
  if (closed_) return;
  if (eof_ && !input_done_ && !input_blocked_ && in_begin_ == in_end_) input_done_ = true;
  if (input_done_ && slots_.empty() && !writing_ && out_next_.empty()) linger_close();
}

void Session::linger_close() {
  if (lingering_ || closed_) return;
  lingering_ = true;
  boost::system::error_code ec;
  socket_.shutdown_send(ec);
  boost::system::error_code avail_ec;
  std::size_t unread = socket_.available(avail_ec);
  // Nothing more can come (EOF), or the server is shutting down and the client is idle: no
  // input to drain, close now rather than hold shutdown up.
  if (eof_ || (shared_.draining && !avail_ec && unread == 0)) {
    close();
    return;
  }
  // The client may still be sending (the rest of a too-long line, requests after the third bad
  // hello). Closing a socket with unread input makes the kernel send a reset, which can destroy
  // our last answer in the client's receive buffer before it reads it. So read and drop input
  // until the client closes too, for at most kLingerMs.
  constexpr int kLingerMs = 2'000;
  uint64_t gen = ++write_timer_gen_;
  write_timer_.expires_after(std::chrono::milliseconds(kLingerMs));
  write_timer_.async_wait([self = shared_from_this(), gen](const boost::system::error_code& ec) {
    if (ec || gen != self->write_timer_gen_) return;
    self->close();
  });
  if (!reading_) discard_input();
}

void Session::discard_input() {
  reading_ = true;
  socket_.async_read_some(asio::buffer(in_.data(), in_.size() - kParsePadding),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      std::size_t n) { self->on_read(ec, n); });
}

void Session::drain() {
  if (closed_) return;
  input_done_ = true;
  input_blocked_ = false;
  maybe_finish();
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  socket_.close(ec);
  hello_timer_.cancel();
  write_timer_.cancel();
  slots_.clear();
  shared_.counters.connections.fetch_sub(1, std::memory_order_relaxed);
  shared_.counters.metrics.connections[static_cast<std::size_t>(Edge::tcp)].fetch_sub(
      1, std::memory_order_relaxed);
  if (shared_.on_session_closed) shared_.on_session_closed();
}

}  // namespace credo::net

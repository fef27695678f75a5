// One client connection (the TCP edge, docs/protocol.md "Transport"). Every method runs on the
// I/O thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/answer.h"
#include "net/io_shared.h"
#include "net/slot_ring.h"
#include "net/tls.h"

namespace credo::net {

// One client connection. Every method runs on the I/O thread.
class Session : public Connection, public std::enable_shared_from_this<Session> {
 public:
  // With shared.options.tls set, the connection is TLS: start() handshakes first.
  Session(IoShared& shared, boost::asio::ip::tcp::socket socket);
  void start();
  // An answer from the engine thread for request `req_no`; serialized when its turn comes.
  void complete(uint64_t req_no, Answer&& answer) override;
  // Shutdown: read nothing more, answer what was read, then close.
  void drain() override;
  bool closed() const { return closed_; }

 private:
  // One request in flight. Its answer is either a response line the session wrote itself
  // (hello, ping, stats, errors found at the edge) or an Answer from the engine thread, which
  // is serialized straight into the output buffer when the slot reaches the front.
  struct Slot {
    std::string response;
    Answer answer;
    bool from_engine = false;
    bool ready = false;
    int8_t op = -1;
    ErrorCode code = ErrorCode::OK;  // of a response written in place (/metrics counts it)
    int8_t refused_op = -1;          // a known op whose request the parser refused (/metrics)
    std::chrono::steady_clock::time_point received;
  };

  void on_handshake(const boost::system::error_code& ec);
  void read_more();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void process_input();
  void handle_line(std::string_view line);
  void handle_hello(Slot& slot, const Request& req);
  static void answer(Slot& slot, const Error& e, std::string_view id_json);
  void line_too_long();
  void pump();
  void write_more();
  void on_write(const boost::system::error_code& ec, std::size_t n);
  bool may_take_input() const;
  void maybe_finish();
  void close();
  void linger_close();
  void discard_input();
  void arm_write_timer();

  IoShared& shared_;
  MaybeTlsStream socket_;
  boost::asio::steady_timer hello_timer_;
  boost::asio::steady_timer write_timer_;

  // Input: bytes [in_begin_, in_end_) are unprocessed; [scan_, in_end_) not yet searched for
  // '\n'. The buffer always has kParsePadding bytes after in_end_ (see codec.h).
  std::vector<char> in_;
  std::size_t in_begin_ = 0, in_end_ = 0, scan_ = 0;
  bool reading_ = false;
  bool eof_ = false;
  bool input_done_ = false;     // no more requests will be taken (EOF, fatal error, drain)
  bool input_blocked_ = false;  // complete lines wait in `in_` for flow control to open

  // Requests in flight, in request order; front() has number first_req_no_.
  SlotRing<Slot> slots_;
  uint64_t first_req_no_ = 0;
  uint64_t next_req_no_ = 0;

  // Output: out_ is being written (out_written_ bytes done), out_next_ collects answers meanwhile.
  std::string out_, out_next_;
  std::size_t out_written_ = 0;
  bool writing_ = false;
  uint64_t write_timer_gen_ = 0;

  bool authenticated_ = false;
  Principal principal_;
  int failed_hellos_ = 0;
  uint64_t requests_seen_ = 0;
  bool pumping_ = false;
  bool lingering_ = false;  // answers sent, send side shut, discarding input until EOF
  bool closed_ = false;
};

}  // namespace credo::net

// Private to net/server*.cc: the pieces of the server and how they hand work to each other.
//
// Threads: the I/O thread runs the io_context (every Session method, the acceptor, stats); the
// engine thread runs EngineLoop::run(); a journal thread (inside a CommandLog) may call
// EngineLoop::on_durable(). Work crosses threads only through the engine queue (I/O -> engine)
// and asio::post (engine or journal -> I/O).
#pragma once

#include <blockingconcurrentqueue.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "net/clock.h"
#include "net/codec.h"
#include "net/command_log.h"
#include "net/keys.h"
#include "net/latency_histogram.h"
#include "net/server.h"

namespace credo::net {

namespace asio = boost::asio;
using asio::ip::tcp;

class Session;

// A request on its way to the engine thread.
struct Job {
  std::shared_ptr<Session> session;
  uint64_t req_no = 0;  // the request's position on its connection
  Principal principal;
  Request request;
};

// An answer on its way back to the I/O thread.
struct Completion {
  std::shared_ptr<Session> session;
  uint64_t req_no = 0;
  uint64_t seq = 0;  // > 0: a state change; released only when durable_seq >= seq
  std::string response;
  std::string id_json;    // seq > 0 only: to answer with an error if the log fails first
  bool deferred = false;  // answered later by a callback (snapshot), not by this batch
};

// Counters shared between threads (stats op, startup/shutdown lines).
struct SharedCounters {
  std::atomic<uint64_t> commands_applied{0};
  std::atomic<uint64_t> last_journaled_seq{0};
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> overloaded{0};
};

// The op names in OpId order (engine/ops.h), so per-op stats live in a fixed array indexed by
// Request::op_id (no map of strings).
inline constexpr auto kOpNames = [] {
  std::array<std::string_view, kOpCount> names{};
  for (std::size_t i = 0; i < kOpCount; ++i) names[i] = kOps[i].name;
  return names;
}();

// The single consumer of the engine queue and the only thread that touches the Engine.
class EngineLoop {
 public:
  EngineLoop(const ServerOptions& options, Engine& engine, CommandLog& log, Clock& clock,
             asio::io_context& io, SharedCounters& counters);
  ~EngineLoop();
  // Owns a thread / file descriptor: copying would share (and close) it twice.
  EngineLoop(const EngineLoop&) = delete;
  EngineLoop& operator=(const EngineLoop&) = delete;

  // I/O thread. Queues a job; false when the queue is at its bound (answer OVERLOADED).
  bool submit(Job&& job);
  std::size_t queued() const { return queue_.size_approx(); }

  void start();
  // Stops after the jobs already queued are processed; joins the thread.
  void stop();

  // Any thread: the log's durable_seq advanced; release the answers waiting for it.
  void on_durable(uint64_t durable_seq);

  // Before start(): apply a command on the calling thread (startup).
  void apply_now(Command& cmd, Result& out);

 private:
  void run();
  void process(Job& job, Completion& done);
  void apply_command(Command& cmd, Result& out);
  void maybe_tick();
  void deliver(std::vector<Completion>& batch);
  void post_to_io(std::vector<Completion>&& batch);
  void fail_waiting_if_log_failed();
  void check_log();
  void resume_log();
  void refuse_change(std::string& out, std::string_view id_json, const std::string& why);
  int64_t park_us() const;

  const ServerOptions& options_;
  Engine& engine_;
  CommandLog& log_;
  Clock& clock_;
  asio::io_context& io_;
  SharedCounters& counters_;

  moodycamel::BlockingConcurrentQueue<Job> queue_;
  moodycamel::ProducerToken producer_;  // the I/O thread is the only producer
  std::thread thread_;
  std::atomic<bool> stopping_{false};

  uint64_t next_seq_ = 1;
  TimeMs last_tick_ms_ = 0;
  Result result_;    // reused for every request: the engine refills its vectors
  Command command_;  // reused likewise

  // The command log's failure as the engine thread handles it (check_log()): seen (logged, the
  // pending answers given their errors) and when a resume was last tried.
  bool log_failed_ = false;
  std::chrono::steady_clock::time_point log_failed_since_;
  std::chrono::steady_clock::time_point last_resume_try_;

  // Answers whose command is not durable yet, in seq order.
  std::mutex waiting_mu_;
  std::deque<Completion> waiting_;
  std::atomic<std::size_t> waiting_count_{0};
};

// State the I/O thread's sessions share.
struct IoShared {
  const ServerOptions& options;
  asio::io_context& io;
  const KeyStore& keys;
  EngineLoop& engine;
  const CommandLog& log;
  SharedCounters& counters;
  std::chrono::steady_clock::time_point started;
  RequestParser parser;  // one per I/O thread
  Request request;       // reused by the parser
  std::array<LatencyHistogram, kOpNames.size()> latency;
  std::vector<std::weak_ptr<Session>> sessions;  // for shutdown; pruned as they close
  bool draining = false;
  std::function<void()> on_session_closed;  // shutdown watches the count fall to zero
};

// One client connection. Every method runs on the I/O thread.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(IoShared& shared, tcp::socket socket);
  void start();
  // An answer from the engine thread for request `req_no`.
  void complete(uint64_t req_no, std::string&& response);
  // Shutdown: read nothing more, answer what was read, then close.
  void drain();
  bool closed() const { return closed_; }

 private:
  struct Slot {
    std::string response;
    bool ready = false;
    int8_t op = -1;
    std::chrono::steady_clock::time_point received;
  };

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
  tcp::socket socket_;
  asio::steady_timer hello_timer_;
  asio::steady_timer write_timer_;

  // Input: bytes [in_begin_, in_end_) are unprocessed; [scan_, in_end_) not yet searched for
  // '\n'. The buffer always has kParsePadding bytes after in_end_ (see codec.h).
  std::vector<char> in_;
  std::size_t in_begin_ = 0, in_end_ = 0, scan_ = 0;
  bool reading_ = false;
  bool eof_ = false;
  bool input_done_ = false;     // no more requests will be taken (EOF, fatal error, drain)
  bool input_blocked_ = false;  // complete lines wait in `in_` for flow control to open

  // Requests in flight, in request order; front() has number first_req_no_.
  std::deque<Slot> slots_;
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

// credo-server's core: TCP sessions on an Asio I/O thread, one engine thread that owns the
// Engine, and the command log that makes answers durable (docs/architecture.md).
//
//   I/O thread: accept, read, split lines, parse (RequestParser), answer hello/ping/stats and
//     errors itself, queue commands and queries  ──▶  engine thread: stamp time and seq, apply or
//     query, append to the CommandLog, format the answer  ──▶  once durable: back to the I/O
//     thread, which writes answers in request order, many answers per write.
//
// Everything is bounded (ServerOptions); past a bound the server either stops reading a
// connection (flow control) or answers OVERLOADED, never grows without end.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "net/clock.h"
#include "net/command_log.h"
#include "net/keys.h"

namespace boost::asio::ssl {
class context;
}

namespace credo::net {

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 7400;  // 0: pick a free port (see Server::port())

  // A request line longer than this is LINE_TOO_LONG and closes the connection.
  std::size_t max_line_bytes = 4u << 20;
  // Connections beyond this are accepted, answered OVERLOADED and closed.
  std::size_t max_connections = 1024;
  // Requests read but not yet answered on one connection; at the bound the server stops reading
  // that socket until answers drain (TCP flow control, not refusal).
  std::size_t max_inflight_per_connection = 1024;
  // Answers waiting to be written to one connection; past it the server stops reading it.
  std::size_t max_output_bytes_per_connection = 16u << 20;
  // Requests queued for the engine thread across all connections; past it: OVERLOADED.
  std::size_t max_engine_queue = std::size_t{64} * 1024;
  // A connection that has not said hello (or, without keys, sent anything) by then is closed.
  int hello_timeout_ms = 10'000;
  // A connection whose answers make no write progress for this long is closed (a client that
  // never reads must not pin memory forever).
  int write_stall_timeout_ms = 30'000;
  // Engine thread: spin this long on an empty queue before parking on the semaphore. Default 0:
  // measured on the 2-core machine, an extra 50 us spin made sequential round trips slower
  // (137-213 us vs 93-132 us) and pipelined throughput lower (190-240 k/s vs 270-330 k/s),
  // because the spinning thread takes the core the I/O thread and the clients need; the
  // queue's semaphore already spins briefly (LightweightSemaphore) before it sleeps.
  int engine_spin_us = 0;
  // Run the engine on the I/O thread instead of a thread of its own (docs/architecture.md,
  // "Threads"): no hand-off between threads for a request, at the price of parsing and
  // formatting no longer overlapping with engine work.
  bool engine_inline = false;
  // I/O thread: poll the sockets this long after the last handler ran before sleeping in
  // epoll (0: sleep at once). Trades a core's idle time for the wake-up of the next request.
  // Default 0: on the 2-core machine with the load generator beside it, 1,000 us of polling at
  // 1,000 orders/s left the client's p50 where it was (111-125 us vs 85-113 us inline), since the
  // polling core is the one the client needs (bench/README.md, issue 12's third pass); with the
  // client polling too, the p50 was 31 us (fourth pass).
  int io_spin_us = 0;
  // On SIGTERM/stop(): how long to wait for in-flight answers before closing anyway.
  int shutdown_grace_ms = 5'000;
  // run() stops gracefully on SIGINT/SIGTERM.
  bool handle_signals = true;
  // With the system clock, time-triggered work (a journaled Tick) runs at least this often.
  int tick_interval_ms = 1'000;

  // While the command log has failed (disk full, I/O error) state changes are refused; the
  // engine thread retries resuming it at most this often (at once when the failure is first
  // seen, then on its periodic wake-up and when a request arrives). A retry costs a probe write
  // and fdatasync, and a recovery of the engine from the data directory once the probe passes.
  int resume_interval_ms = 1'000;

  // The HTTP edge (net/http_session.h, docs/http.md): a second listener on the same I/O thread,
  // engine queue and results stage. Off unless enabled; http_port 0 picks a free port.
  bool http_enabled = false;
  uint16_t http_port = 7480;
  // Bytes of one request's start line and headers; past it: 431 and the connection closes. The
  // body's bound is max_line_bytes (413).
  std::size_t http_max_header_bytes = std::size_t{16} * 1024;
  // A keep-alive connection with nothing in flight that sends no complete request for this long
  // is closed (with 408 if it had sent part of one: a slow client).
  int http_idle_timeout_ms = 30'000;

  Clock::Mode clock_mode = Clock::Mode::system;
  TimeMs clock_start_ms = 0;  // manual clock's start

  // Non-null: the TCP listener speaks TLS with this context (net/tls.h,
  // make_server_tls_context); every connection handshakes before its first line.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

class Server {
 public:
  // `keys` empty: no authentication (every connection acts as the admin principal "local");
  // only sensible on loopback, which tools/server enforces.
  // `engine` is held by pointer so its address stays fixed: a journal opened on it (recovery)
  // keeps reading it for automatic snapshots.
  Server(ServerOptions options, std::unique_ptr<Engine> engine, std::unique_ptr<CommandLog> log,
         KeyStore keys);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Applies a command before the server runs (demo data, the config's policy), with the next
  // seq and the clock's time if cmd.at == 0, and appends it to the log on success.
  // REQUIRES: run() has not started.
  void apply_startup(Command cmd, Result& out);

  // Waits until every command apply_startup applied is durable in the log, so the first client
  // never sees startup state that a crash could still take back. Returns false with `*error` if
  // the log failed or `limit` passed first; true at once on a standby (its state is the
  // primary's). REQUIRES: run() has not started.
  bool wait_startup_durable(std::chrono::milliseconds limit, std::string* error);

  // Access to the engine before run() (counts for the startup line). REQUIRES: not running.
  const Engine& engine() const;

  // Binds and listens. Returns false with `*error` if the address cannot be used.
  bool listen(std::string* error);
  // The bound port (after listen()).
  uint16_t port() const;
  // The HTTP edge's bound port (after listen()); 0 when the edge is off.
  uint16_t http_port() const;

  // Serves until stop(): the calling thread becomes the I/O thread; the engine thread is started
  // and joined inside. Returns after a graceful shutdown.
  void run();

  // After run() returned: optionally snapshots the final state, then closes the log (everything
  // durable). False with `*error` if either fails.
  bool close_log(bool snapshot, std::string* error);

  // Thread-safe, any thread: the Prometheus text exposition of this server's counters
  // (net/metrics.h). The HTTP edge serves it at GET /metrics with kMetricsContentType.
  std::string metrics_text() const;

  // Thread-safe: stop accepting, answer the requests already read, close connections, return
  // from run().
  void stop();

 private:
  struct Core;
  std::unique_ptr<Core> core_;
};

// The admin principal the server itself uses for time ticks and startup commands.
Principal system_principal();

}  // namespace credo::net

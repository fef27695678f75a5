// Server: wires the acceptor, the sessions, the engine thread and the command log together,
// and runs the graceful shutdown (stop accepting, answer what was read, close, join).
#include "net/server.h"

#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
// After <utility>: Boost 1.74's awaitable.hpp uses std::exchange without including it.
#include <boost/asio.hpp>

#include "net/engine_loop.h"
#include "net/http_session.h"
#include "net/io_shared.h"
#include "net/metrics.h"
#include "net/result_stage.h"
#include "net/session.h"

namespace credo::net {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Server::Core {
  Core(ServerOptions o, std::unique_ptr<Engine> e, std::unique_ptr<CommandLog> l, KeyStore k)
      : options(std::move(o)),
        engine(std::move(e)),
        log(std::move(l)),
        keys(std::move(k)),
        clock(options.clock_mode, options.clock_start_ms),
        io(1),  // one I/O thread: Asio may skip its internal locking
        results(io, *log),
        loop(options, io, *engine, *log, clock, results, counters),
        shared{options, io, keys, loop, *log,  counters, std::chrono::steady_clock::now(),
               {},      {}, {},   {},   false, {}},
        acceptor(io),
        http_acceptor(io),
        signals(io),
        shutdown_timer(io),
        accept_retry_timer(io) {}

  void accept();
  void on_accept(const boost::system::error_code& ec, tcp::socket socket);
  void accept_http();
  void on_accept_http(const boost::system::error_code& ec, tcp::socket socket);
  void register_connection(const std::shared_ptr<Connection>& c);
  void begin_shutdown();
  void check_drained();
  void finish_shutdown();

  ServerOptions options;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<CommandLog> log;
  KeyStore keys;
  Clock clock;
  SharedCounters counters;
  asio::io_context io;
  ResultStage results;
  EngineLoop loop;
  IoShared shared;
  tcp::acceptor acceptor;
  tcp::acceptor http_acceptor;  // the HTTP edge (options.http_enabled)
  asio::signal_set signals;
  asio::steady_timer shutdown_timer;
  asio::steady_timer accept_retry_timer;
  bool shutting_down = false;
  bool finished = false;
  uint64_t last_startup_seq = 0;  // the last command apply_startup applied (0: none)
};

Server::Server(ServerOptions options, std::unique_ptr<Engine> engine,
               std::unique_ptr<CommandLog> log, KeyStore keys)
    : core_(std::make_unique<Core>(std::move(options), std::move(engine), std::move(log),
                                   std::move(keys))) {}

Server::~Server() = default;

void Server::apply_startup(Command cmd, Result& out) {
  core_->loop.apply_now(cmd, out);
  if (out.ok()) core_->last_startup_seq = cmd.seq;
}

bool Server::wait_startup_durable(std::chrono::milliseconds limit, std::string* error) {
  Core& c = *core_;
  const uint64_t target = c.last_startup_seq;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string why;
  while (c.log->durable_seq() < target) {
    if (c.log->standby(&why)) return true;
    if (c.log->failed(&why)) {
      *error = "the startup commands could not be made durable: " + why;
      return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      *error = "the startup commands were not durable after " +
               std::to_string(limit.count()) + " ms (durable up to seq " +
               std::to_string(c.log->durable_seq()) + " of " + std::to_string(target) + ")";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

const Engine& Server::engine() const {
  return *core_->engine;
}

bool Server::close_log(bool snapshot, std::string* error) {
  Core& c = *core_;
  if (snapshot) {
    uint64_t seq = 0;
    std::string file;
    if (!c.log->snapshot(*c.engine, &seq, &file, error)) {
      std::string ignored;
      c.log->close(&ignored);  // still make everything durable; report the snapshot's failure
      return false;
    }
  }
  return c.log->close(error);
}

bool Server::listen(std::string* error) {
  Core& c = *core_;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(c.options.bind_address, ec);
  if (ec) {
    *error = "bad --bind address '" + c.options.bind_address + "': " + ec.message();
    return false;
  }
  tcp::endpoint endpoint(address, c.options.port);
  c.acceptor.open(endpoint.protocol(), ec);
  if (!ec) c.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) c.acceptor.bind(endpoint, ec);
  if (!ec) c.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + c.options.bind_address + ":" + std::to_string(c.options.port) +
             ": " + ec.message();
    return false;
  }
  if (!c.options.http_enabled) return true;
  tcp::endpoint http_endpoint(address, c.options.http_port);
  c.http_acceptor.open(http_endpoint.protocol(), ec);
  if (!ec) c.http_acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) c.http_acceptor.bind(http_endpoint, ec);
  if (!ec) c.http_acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen for HTTP on " + c.options.bind_address + ":" +
             std::to_string(c.options.http_port) + ": " + ec.message();
    return false;
  }
  return true;
}

std::string Server::metrics_text() const {
  return render_metrics(core_->counters, *core_->log, core_->loop.queued());
}

uint16_t Server::port() const {
  boost::system::error_code ec;
  return core_->acceptor.local_endpoint(ec).port();
}

uint16_t Server::http_port() const {
  if (!core_->http_acceptor.is_open()) return 0;
  boost::system::error_code ec;
  return core_->http_acceptor.local_endpoint(ec).port();
}

void Server::run() {
  Core& c = *core_;
  c.shared.on_session_closed = [&c] {
    if (c.shutting_down) c.check_drained();
  };
  if (c.options.handle_signals) {
    c.signals.add(SIGINT);
    c.signals.add(SIGTERM);
    c.signals.async_wait([&c](const boost::system::error_code& ec, int) {
      if (!ec) c.begin_shutdown();
    });
  }
  c.loop.start();
  c.accept();
  if (c.http_acceptor.is_open()) c.accept_http();
  if (c.options.io_spin_us <= 0) {
    c.io.run();
  } else {
    // Busy-poll: after the last ready handler, keep polling the sockets for io_spin_us before
    // sleeping in epoll, so a request that arrives meanwhile is read without a wake-up.
    const auto spin = std::chrono::microseconds(c.options.io_spin_us);
    while (!c.io.stopped()) {
      if (c.io.poll() > 0) continue;
      const auto until = std::chrono::steady_clock::now() + spin;
      std::size_t ran = 0;
      while (ran == 0 && !c.io.stopped() && std::chrono::steady_clock::now() < until)
        ran = c.io.poll();
      if (ran == 0 && !c.io.stopped()) c.io.run_one();
    }
  }
  // The I/O loop returns only after finish_shutdown(): the engine thread is joined there.
}

void Server::stop() {
  Core* c = core_.get();
  asio::post(c->io, [c] { c->begin_shutdown(); });
}

void Server::Core::accept() {
  acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void Server::Core::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (shutting_down) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // EMFILE and friends: the pending connection stays in the backlog, so retrying at once
    // would spin on the same error. Retry a little later; existing connections go on meanwhile.
    std::fprintf(stderr, "credo-server: accept failed: %s; retrying in 100 ms\n",
                 ec.message().c_str());
    accept_retry_timer.expires_after(std::chrono::milliseconds(100));
    accept_retry_timer.async_wait([this](const boost::system::error_code& e) {
      if (!e && !shutting_down) accept();
    });
    return;
  }
  if (counters.connections.load() >= options.max_connections) {
    // Over the bound: say so, so the client knows to retry, rather than a silent reset.
    auto sock = std::make_shared<tcp::socket>(std::move(socket));
    auto line = std::make_shared<std::string>();
    write_error(*line, "", Error{ErrorCode::OVERLOADED, "too many connections; retry later", "", {}});
    counters.overloaded.fetch_add(1);
    asio::async_write(*sock, asio::buffer(*line),
                      [sock, line](const boost::system::error_code&, std::size_t) {
                        boost::system::error_code ignored;
                        sock->shutdown(tcp::socket::shutdown_both, ignored);
                        sock->close(ignored);
                      });
    accept();
    return;
  }
  counters.connections.fetch_add(1);
  counters.connections_total.fetch_add(1);
  counters.metrics.connections[static_cast<std::size_t>(Edge::tcp)].fetch_add(1);
  counters.metrics.connections_accepted[static_cast<std::size_t>(Edge::tcp)].fetch_add(1);
  auto session = std::make_shared<Session>(shared, std::move(socket));
  register_connection(session);
  session->start();
  accept();
}

void Server::Core::register_connection(const std::shared_ptr<Connection>& c) {
  // Prune closed sessions now and then so the list stays proportional to live connections.
  if (shared.sessions.size() >= 2 * options.max_connections) {
    std::erase_if(shared.sessions, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
  }
  shared.sessions.push_back(c);
}

void Server::Core::accept_http() {
  http_acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    on_accept_http(ec, std::move(socket));
  });
}

// The HTTP edge's accept: the same connection bound as TCP's, counted together.
void Server::Core::on_accept_http(const boost::system::error_code& ec, tcp::socket socket) {
  if (shutting_down) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    std::fprintf(stderr, "credo-server: HTTP accept failed: %s; retrying in 100 ms\n",
                 ec.message().c_str());
    auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(100));
    timer->async_wait([this, timer](const boost::system::error_code& e) {
      if (!e && !shutting_down) accept_http();
    });
    return;
  }
  if (counters.connections.load() >= options.max_connections) {
    counters.overloaded.fetch_add(1);
    refuse_http_connection(std::move(socket));
    accept_http();
    return;
  }
  counters.connections.fetch_add(1);
  counters.connections_total.fetch_add(1);
  counters.metrics.connections[static_cast<std::size_t>(Edge::http)].fetch_add(1);
  counters.metrics.connections_accepted[static_cast<std::size_t>(Edge::http)].fetch_add(1);
  // start_http_session starts reading; registering afterwards is fine: both run on this thread.
  register_connection(start_http_session(shared, std::move(socket)));
  accept_http();
}

void Server::Core::begin_shutdown() {
  if (shutting_down) return;
  shutting_down = true;
  shared.draining = true;
  boost::system::error_code ec;
  acceptor.close(ec);
  http_acceptor.close(ec);
  signals.cancel(ec);
  accept_retry_timer.cancel();
  for (auto& w : shared.sessions)
    if (auto s = w.lock()) s->drain();
  shutdown_timer.expires_after(std::chrono::milliseconds(options.shutdown_grace_ms));
  shutdown_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    std::fprintf(stderr, "credo-server: shutdown grace period over; closing %llu connections\n",
                 static_cast<unsigned long long>(counters.connections.load()));
    finish_shutdown();
  });
  check_drained();
}

void Server::Core::check_drained() {
  if (counters.connections.load() == 0) {
    // Post, so a session closing inside its own handler finishes unwinding first.
    asio::post(io, [this] { finish_shutdown(); });
  }
}

void Server::Core::finish_shutdown() {
  if (finished) return;
  finished = true;
  shutdown_timer.cancel();
  loop.stop();  // the engine thread finishes what is queued, then exits
  // Any answers it posted have no one left to wait for them once io stops.
  io.stop();
}

}  // namespace credo::net

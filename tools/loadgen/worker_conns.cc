// credo-loadgen's connections (tools/loadgen/worker.h): opened at the start, closed when the
// server breaks the protocol or the connection, and with several --host addresses moved on to
// the next address after NOT_PRIMARY or a lost connection.
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tools/loadgen/hosts.h"
#include "tools/loadgen/worker.h"

namespace credo::loadgen::detail {

bool Worker::connect_all(uint32_t count, std::string* error) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): connect_all runs on the main thread, before run().
    *error = std::string("epoll: ") + std::strerror(errno);
    return false;
  }

  for (uint32_t i = 0; i < count; i++) {
    auto c = std::make_unique<Conn>();
    c->index = conns_.size();
    if (!open_conn(*c, error)) return false;
    conns_.push_back(std::move(c));
  }
  return true;
}

bool Worker::open_conn(Conn& c, std::string* error) {
  Address a = config_.addresses.empty() ? Address{config_.host, config_.port}
                                        : config_.addresses[c.addr % config_.addresses.size()];
  c.fd = connect_tcp(a, error);
  if (c.fd < 0) return false;
  if (config_.tls) {
    // Handshake while the socket still blocks; afterwards SSL_read/SSL_write are non-blocking.
    if (tls_ctx_ == nullptr) tls_ctx_ = make_tls_client_context(config_.tls_ca, error);
    if (tls_ctx_ != nullptr) c.ssl = tls_connect(tls_ctx_, c.fd, a.host, error);
    if (c.ssl == nullptr) {
      ::close(c.fd);
      c.fd = -1;
      return false;
    }
  }
  int flags = 1;
  ::ioctl(c.fd, FIONBIO, &flags);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = c.index;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev);
  c.dead = c.redirect = c.parked = c.want_write = false;
  c.key = -1;
  c.in.clear();
  c.out.clear();
  c.in_off = c.out_off = 0;
  return true;
}

void Worker::move_on(Conn& c, uint64_t delay_ns) {
  if (!c.dead) close_conn(c);
  c.addr = (c.addr + 1) % config_.addresses.size();
  c.parked = true;
  c.redirect = false;
  c.reconnect_at = now_ns() + delay_ns;
}

void Worker::reconnect_due(bool open_loop) {
  const uint64_t now = now_ns();
  std::string error;
  for (auto& cp : conns_) {
    Conn& c = *cp;
    if (c.redirect && c.inflight.empty()) move_on(c, 0);  // every answer is in
    if (!c.parked || now < c.reconnect_at) continue;
    if (!open_conn(c, &error)) {
      move_on(c, kReconnectWaitNs);  // the next address, a little later
      continue;
    }
    say_hello(c, static_cast<int>(Key::order));
    if (!open_loop)
      for (uint32_t i = 0; i < config_.pipeline; i++) send_request(c, now_ns());
    while (!c.backlog.empty() && c.inflight.size() < config_.pipeline) {
      send_request(c, c.backlog.front());
      c.backlog.pop_front();
    }
    flush(c);
  }
}

void Worker::kill(Conn& c) {
  if (c.dead) return;
  result_.protocol_errors++;
  for (const Pending& p : c.inflight)
    if (!p.hello) result_.unanswered++;
  result_.unanswered += c.backlog.size();
  c.inflight.clear();
  c.backlog.clear();
  close_conn(c);
  if (follow() && !stopping_) move_on(c, 0);
}

void Worker::close_conn(Conn& c) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
  if (c.ssl != nullptr) SSL_free(c.ssl);
  c.ssl = nullptr;
  ::close(c.fd);
  c.fd = -1;
  c.dead = true;
}

}  // namespace credo::loadgen::detail

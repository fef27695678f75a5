#include "tools/loadgen/driver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <thread>

#include "tools/loadgen/report.h"
#include "tools/loadgen/worker.h"

namespace credo::loadgen {
namespace detail {

void Worker::say_hello(Conn& c, int key) {
  append_hello(c.out, key_of(key));
  Pending p;
  p.hello = true;
  c.inflight.push_back(p);
  c.key = key;
}

void Worker::send_request(Conn& c, uint64_t start_ns) {
  Pending p;
  p.start_ns = start_ns;
  p.measured = start_ns >= warmup_end_ns_;
  p.kind = workload_.next_kind();
  if (p.kind == OpKind::ship && ship_pool_.empty()) {
    p.kind = OpKind::order;
    result_.ships_substituted++;
  }
  if (config_.protocol == Protocol::redis) {
    // The Redis peer implements submit_order only (bench/peers/redis_order.lua).
    p.kind = OpKind::order;
    p.orders = 1;
    workload_.next_order(&order_);
    append_redis_order(c.out, config_.redis_sha, order_);
    c.inflight.push_back(p);
    return;
  }
  if (config_.protocol == Protocol::http) {
    // Keep-alive requests with the key in each (no hello); answers in request order.
    switch (p.kind) {
      case OpKind::order:
        if (config_.batch > 1) {
          batch_.resize(config_.batch);
          for (auto& o : batch_) workload_.next_order(&o);
          append_http_batch(c.out, batch_, config_.order_key);
          p.orders = config_.batch;
        } else {
          workload_.next_order(&order_);
          append_http_order(c.out, "/v1/orders", order_, config_.order_key);
          p.orders = 1;
        }
        break;
      case OpKind::quote:
        workload_.next_order(&order_);
        append_http_order(c.out, "/v1/orders/quote", order_, config_.order_key);
        break;
      case OpKind::payment:
        workload_.next_payment(&payment_);
        append_http_payment(c.out, payment_, config_.finance_key);
        break;
      case OpKind::ship:
        append_http_ship(c.out, ship_pool_.front(), config_.warehouse_key);
        ship_pool_.pop_front();
        break;
    }
    c.inflight.push_back(p);
    return;
  }
  int key = p.kind == OpKind::payment ? static_cast<int>(Key::finance)
            : p.kind == OpKind::ship  ? static_cast<int>(Key::warehouse)
                                      : static_cast<int>(Key::order);
  if (c.key < 0 || key_of(key) != key_of(c.key)) say_hello(c, key);
  switch (p.kind) {
    case OpKind::order:
      if (config_.batch > 1) {
        batch_.resize(config_.batch);
        for (auto& o : batch_) workload_.next_order(&o);
        append_batch(c.out, batch_);
        p.orders = config_.batch;
      } else {
        workload_.next_order(&order_);
        append_order(c.out, "submit_order", order_);
        p.orders = 1;
      }
      break;
    case OpKind::quote:
      workload_.next_order(&order_);
      append_order(c.out, "quote", order_);
      break;
    case OpKind::payment:
      workload_.next_payment(&payment_);
      append_payment(c.out, payment_);
      break;
    case OpKind::ship:
      append_ship(c.out, ship_pool_.front());
      ship_pool_.pop_front();
      break;
  }
  c.inflight.push_back(p);
}

void Worker::update_events(Conn& c) {
  bool want = c.out_off < c.out.size();
  if (want == c.want_write || c.dead) return;
  c.want_write = want;
  epoll_event ev{};
  ev.events = want ? uint32_t{EPOLLIN | EPOLLOUT} : uint32_t{EPOLLIN};
  ev.data.u64 = c.index;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
}

void Worker::flush(Conn& c) {
  while (!c.dead && c.out_off < c.out.size()) {
    if (c.ssl != nullptr) {
      const int n = SSL_write(c.ssl, c.out.data() + c.out_off,
                              static_cast<int>(std::min<std::size_t>(c.out.size() - c.out_off,
                                                                     std::size_t{1} << 30)));
      if (n > 0) {
        c.out_off += static_cast<std::size_t>(n);
        continue;
      }
      const int e = SSL_get_error(c.ssl, n);
      if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) break;
      kill(c);
      return;
    }
    ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    kill(c);
    return;
  }
  if (c.out_off == c.out.size()) {
    c.out.clear();
    c.out_off = 0;
  }
  update_events(c);
}

void Worker::on_answer(Conn& c, const Answer* a, bool parsed) {
  if (c.inflight.empty()) {  // an answer nobody asked for
    result_.protocol_errors++;
    return;
  }
  Pending p = c.inflight.front();
  c.inflight.pop_front();
  if (!parsed) {
    result_.protocol_errors++;
    return;
  }
  if (p.hello) {
    if (!a->ok) {
      result_.errors++;
      result_.errors_by_code["hello:" + a->error_code]++;
      progress_->errors.fetch_add(1, std::memory_order_relaxed);
    }
    return;
  }
  uint64_t t = now_ns();
  for (uint64_t no : a->accepted_order_nos) {
    if (ship_pool_.size() >= kShipPoolMax) ship_pool_.pop_front();
    ship_pool_.push_back(no);
  }
  uint64_t decided = a->accepted + a->held + a->rejected;
  progress_->answers.fetch_add(1, std::memory_order_relaxed);
  if (p.kind == OpKind::order) progress_->orders.fetch_add(decided, std::memory_order_relaxed);
  if (!a->ok || a->item_errors) progress_->errors.fetch_add(1, std::memory_order_relaxed);
  if (follow() && !a->ok && a->error_code == "NOT_PRIMARY") c.redirect = true;
  if (!p.measured) return;
  uint64_t latency = t > p.start_ns ? t - p.start_ns : 0;
  result_.latency.record(latency);
  result_.latency_by_kind[static_cast<int>(p.kind)].record(latency);
  result_.requests++;
  result_.requests_by_kind[static_cast<int>(p.kind)]++;
  if (!a->ok) {
    result_.errors++;
    result_.errors_by_code[a->error_code]++;
    return;
  }
  if (a->item_errors) {
    result_.errors += a->item_errors;
    result_.errors_by_code[a->error_code] += a->item_errors;
  }
  if (p.kind == OpKind::order) {
    result_.orders += decided;
    result_.accepted += a->accepted;
    result_.held += a->held;
    result_.rejected += a->rejected;
  }
}

void Worker::read_answers(Conn& c) {
  char buf[kReadChunk];
  while (!c.dead && c.ssl != nullptr) {
    // Until WANT_READ: decrypted bytes OpenSSL holds are invisible to epoll.
    const int n = SSL_read(c.ssl, buf, sizeof buf);
    if (n > 0) {
      c.in.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    const int e = SSL_get_error(c.ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
    kill(c);  // close_notify, EOF or error: the server closed on us
    return;
  }
  while (!c.dead && c.ssl == nullptr) {
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n > 0) {
      c.in.append(buf, static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) < sizeof buf) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    // EOF or error: the server closed on us.
    kill(c);
    return;
  }
  if (config_.protocol == Protocol::credo) {
    while (true) {
      std::size_t nl = c.in.find('\n', c.in_off);
      if (nl == std::string::npos) break;
      std::string_view line(c.in.data() + c.in_off, nl - c.in_off);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      bool parsed = parse_credo_answer(line, &answer_);
      on_answer(c, &answer_, parsed);
      c.in_off = nl + 1;
    }
  } else if (config_.protocol == Protocol::http) {
    while (c.in_off < c.in.size()) {
      std::string_view body;
      long used = parse_http_response(std::string_view(c.in).substr(c.in_off), &body);
      if (used == 0) break;
      if (used < 0) {
        result_.protocol_errors++;
        kill(c);
        return;
      }
      bool parsed = parse_credo_answer(body, &answer_);
      on_answer(c, &answer_, parsed);
      c.in_off += static_cast<std::size_t>(used);
    }
  } else {
    while (c.in_off < c.in.size()) {
      long used = parse_resp(std::string_view(c.in).substr(c.in_off), &reply_);
      if (used == 0) break;
      if (used < 0) {
        kill(c);
        return;
      }
      bool parsed = redis_order_answer(reply_, &answer_);
      on_answer(c, &answer_, parsed);
      c.in_off += static_cast<std::size_t>(used);
    }
  }
  if (c.in_off == c.in.size()) {
    c.in.clear();
    c.in_off = 0;
  } else if (c.in_off > (1u << 20)) {
    c.in.erase(0, c.in_off);
    c.in_off = 0;
  }
}

std::size_t Worker::live_inflight() const {
  std::size_t n = 0;
  for (const auto& c : conns_)
    if (!c->dead) n += c->inflight.size() + c->backlog.size();
  return n;
}

int Worker::wait_for_events(std::vector<epoll_event>& events, uint64_t wait_ns) {
  const int max = static_cast<int>(events.size());
  if (have_pwait2_) {
    const timespec ts{static_cast<time_t>(wait_ns / 1'000'000'000ull),
                      static_cast<long>(wait_ns % 1'000'000'000ull)};
    const int n = ::epoll_pwait2(epoll_fd_, events.data(), max, &ts, nullptr);
    if (n >= 0 || errno != ENOSYS) return n;
    have_pwait2_ = false;  // a kernel before 5.11: millisecond timeouts, rounded up
  }
  return ::epoll_wait(epoll_fd_, events.data(), max,
                      static_cast<int>((wait_ns + 999'999) / 1'000'000));
}

void Worker::run(uint64_t start_ns, uint64_t warmup_end_ns, uint64_t end_ns,
                 uint64_t drain_end_ns) {
  warmup_end_ns_ = warmup_end_ns;
  const bool open_loop = config_.rate > 0;
  const double per_thread_rate = config_.rate / config_.threads;
  const double interval_ns = open_loop ? 1e9 / per_thread_rate : 0;
  // Threads start their schedules staggered within one interval, so the combined stream is even.
  double next_due = static_cast<double>(start_ns) + interval_ns * index_ / config_.threads;
  std::size_t rr = 0;

  for (auto& c : conns_) {
    if (config_.protocol == Protocol::credo) say_hello(*c, static_cast<int>(Key::order));
    if (!open_loop)
      for (uint32_t i = 0; i < config_.pipeline; i++) send_request(*c, now_ns());
    flush(*c);
  }

  std::vector<epoll_event> events(conns_.size() + 1);
  uint64_t last_progress = 0;
  while (true) {
    uint64_t now = now_ns();
    if (!stopping_ && now >= end_ns) {
      stopping_ = true;
      for (auto& c : conns_) {
        result_.unanswered += c->backlog.size();
        c->backlog.clear();
      }
    }
    if (stopping_ && (now >= drain_end_ns || live_inflight() == 0)) break;

    if (open_loop && !stopping_) {
      // Everything due by now: write it, or queue it behind a full pipeline.
      while (next_due <= static_cast<double>(now) && next_due < static_cast<double>(end_ns)) {
        uint64_t due = static_cast<uint64_t>(next_due);
        next_due += interval_ns;
        Conn* c = nullptr;
        for (std::size_t tries = 0; tries < conns_.size(); tries++) {
          Conn* candidate = conns_[rr++ % conns_.size()].get();
          if (!candidate->dead) {
            c = candidate;
            break;
          }
        }
        if (c == nullptr) break;
        if (c->inflight.size() < config_.pipeline && c->backlog.empty() && !c->redirect)
          send_request(*c, due);
        else
          c->backlog.push_back(due);
      }
      for (auto& c : conns_)
        if (!c->dead && c->out_off < c->out.size()) flush(*c);
    }

    if (follow() && !stopping_) reconnect_due(open_loop);
    // Sleep until the next request is due (open loop) or an answer comes. The timeout goes to
    // epoll_pwait2 in nanoseconds: no timer to arm and read back per wake-up (two system calls
    // of ~6 per request at 20 k/s, on a machine where system calls are most of the client's
    // cost). --spin never sleeps.
    uint64_t wait_ns = (follow() ? 10 : 100) * 1'000'000ull;
    if (config_.spin) {
      wait_ns = 0;
    } else if (open_loop && !stopping_) {
      const double until = next_due - static_cast<double>(now_ns());
      wait_ns = until <= 0 ? 0 : std::min(wait_ns, static_cast<uint64_t>(until));
    }
    const int n = wait_for_events(events, wait_ns);
    for (int i = 0; i < n; i++) {
      Conn& c = *conns_[events[i].data.u64];
      if (c.dead) continue;
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        std::size_t before = c.inflight.size();
        read_answers(c);
        if (c.dead) continue;
        std::size_t answered = before - c.inflight.size();
        if (!stopping_ && !c.redirect) {
          if (!open_loop) {
            // Closed loop: each answer releases one more request (hellos are not counted).
            while (answered-- > 0 && c.inflight.size() < config_.pipeline + 1)
              send_request(c, now_ns());
          } else {
            while (!c.backlog.empty() && c.inflight.size() < config_.pipeline) {
              send_request(c, c.backlog.front());
              c.backlog.pop_front();
            }
          }
        }
      }
      if (!c.dead) flush(c);
    }
    if (index_ == 0) {
      uint64_t t = now_ns();
      if (t - last_progress > 200'000'000) {
        progress_->inflight.store(live_inflight(), std::memory_order_relaxed);
        last_progress = t;
      }
    }
  }
  for (auto& c : conns_) {
    if (c->dead) continue;
    for (const Pending& p : c->inflight)
      if (!p.hello) result_.unanswered++;
  }
}

}  // namespace detail

using detail::now_ns;
using detail::Worker;

bool run_load(const DriverConfig& config, Progress* progress, RunResult* result,
              std::string* error) {
  std::vector<std::unique_ptr<Worker>> workers;
  for (uint32_t t = 0; t < config.threads; t++) {
    uint32_t share =
        config.connections / config.threads + (t < config.connections % config.threads ? 1 : 0);
    if (share == 0) continue;
    auto w = std::make_unique<Worker>(config, t, progress);
    if (!w->connect_all(share, error)) return false;
    workers.push_back(std::move(w));
  }
  uint64_t start = now_ns();
  uint64_t warmup_end = start + static_cast<uint64_t>(config.warmup_s * 1e9);
  uint64_t end = start + static_cast<uint64_t>((config.warmup_s + config.duration_s) * 1e9);
  uint64_t drain_end = end + static_cast<uint64_t>(config.drain_s * 1e9);
  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (auto& w : workers)
    threads.emplace_back([&, wp = w.get()] {
      // The open loop sleeps until each send time. Linux lets a normal thread's timeout expire
      // up to its timer slack (50 µs by default) late, and each request's latency is counted
      // from its intended send time; 1 ns asks for no slack.
      ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
      wp->run(start, warmup_end, end, drain_end);
    });
  for (auto& t : threads) t.join();

  *result = RunResult{};
  for (auto& w : workers) merge(result, w->result());
  result->measured_s = config.duration_s;
  result->offered_rate = config.rate;
  return true;
}

}  // namespace credo::loadgen

// credo-loadgen's worker (tools/loadgen/driver.h): one thread's connections, each an epoll-driven
// non-blocking socket with its in-flight requests in order. Private to driver.cc (the schedule,
// requests and answers) and worker_conns.cc (opening, closing and, with several --host
// addresses, moving connections on).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "tools/loadgen/driver.h"
#include "tools/loadgen/tls_client.h"
#include "tools/loadgen/wire.h"

namespace credo::loadgen::detail {

// Monotonic nanoseconds.
inline uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Why a bounded pool: ships need order numbers of accepted orders; keeping the newest 64k is
// plenty and keeps memory flat however long the run.
constexpr std::size_t kShipPoolMax = 65'536;
constexpr std::size_t kReadChunk = std::size_t{256} * 1024;

enum class Key : uint8_t { order, finance, warehouse };

// Several addresses: a connection that found none answering tries the next after this long.
constexpr uint64_t kReconnectWaitNs = 20'000'000;

struct Pending {
  uint64_t start_ns = 0;  // intended (open loop) or actual (closed loop) send time
  OpKind kind = OpKind::order;
  uint32_t orders = 0;  // orders in the request (0 for other kinds)
  bool hello = false;   // a hello (not measured)
  bool measured = false;
};

struct Conn {
  int fd = -1;
  SSL* ssl = nullptr;  // --tls
  std::size_t index = 0;  // in Worker::conns_, the epoll cookie
  bool dead = false;
  bool want_write = false;
  std::string out;
  std::size_t out_off = 0;
  std::string in;
  std::size_t in_off = 0;
  std::deque<Pending> inflight;  // requests written, answers owed, in order
  std::deque<uint64_t> backlog;  // open loop: intended times of requests not yet written
  int key = -1;                  // credo: which key the connection last said hello with
  std::size_t addr = 0;          // in config.addresses
  bool redirect = false;         // answered NOT_PRIMARY: move on once the answers are in
  bool parked = false;           // dead, to be reconnected (several addresses) at reconnect_at
  uint64_t reconnect_at = 0;
};

class Worker {
 public:
  Worker(const DriverConfig& config, uint32_t index, Progress* progress)
      : config_(config), index_(index), progress_(progress), workload_(config.workload, index) {}
  Worker(const Worker&) = delete;  // owns its sockets and epoll fd
  Worker& operator=(const Worker&) = delete;
  ~Worker() {
    for (auto& c : conns_) {
      if (c->ssl != nullptr) SSL_free(c->ssl);
      if (c->fd >= 0) ::close(c->fd);
    }
    if (tls_ctx_ != nullptr) SSL_CTX_free(tls_ctx_);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }

  bool connect_all(uint32_t count, std::string* error);
  void run(uint64_t start_ns, uint64_t warmup_end_ns, uint64_t end_ns, uint64_t drain_end_ns);
  RunResult& result() { return result_; }

 private:
  void send_request(Conn& c, uint64_t start_ns);
  void say_hello(Conn& c, int key);
  void flush(Conn& c);
  void read_answers(Conn& c);
  void on_answer(Conn& c, const Answer* answer, bool parsed);
  void kill(Conn& c);
  // Takes `c` out of epoll and closes its socket (and TLS); marks it dead.
  void close_conn(Conn& c);
  // The API key of Key `key` (the config's order, finance or warehouse key).
  const std::string& key_of(int key) const {
    return key == static_cast<int>(Key::finance)     ? config_.finance_key
           : key == static_cast<int>(Key::warehouse) ? config_.warehouse_key
                                                     : config_.order_key;
  }
  // Several addresses: opens `c` on config_.addresses[c.addr] (non-blocking, in epoll).
  bool open_conn(Conn& c, std::string* error);
  // Closes `c` and parks it, to be reopened on the next address (move_on) after `delay_ns`.
  void move_on(Conn& c, uint64_t delay_ns);
  // Reopens parked connections that are due and starts their requests again.
  void reconnect_due(bool open_loop);
  bool follow() const { return config_.addresses.size() > 1; }
  void update_events(Conn& c);
  // epoll_pwait2 with a nanosecond timeout (epoll_wait in whole milliseconds where the kernel
  // lacks it); returns what epoll returns.
  int wait_for_events(std::vector<epoll_event>& events, uint64_t wait_ns);
  std::size_t live_inflight() const;

  const DriverConfig& config_;
  uint32_t index_;
  Progress* progress_;
  Workload workload_;
  RunResult result_;
  std::vector<std::unique_ptr<Conn>> conns_;
  int epoll_fd_ = -1;
  SSL_CTX* tls_ctx_ = nullptr;  // --tls: shared by this worker's connections
  bool have_pwait2_ = true;
  uint64_t warmup_end_ns_ = 0;
  bool stopping_ = false;
  std::deque<uint64_t> ship_pool_;
  Order order_;
  std::vector<Order> batch_;
  Payment payment_;
  Answer answer_;
  RespReply reply_;
};

}  // namespace credo::loadgen::detail

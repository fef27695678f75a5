// The prefault thread (engine/huge_alloc.h): BlockPool::serve on a thread of its own, from
// construction to destruction. A server runs one (net/engine_loop.cc), and so do the engine
// benchmark and the stall test, so that they measure what a server's engine thread pays.
//
// The thread is named "credo-prefault" and runs at the lowest priority (nice 19). Its work is
// never urgent: zeroing a 4 MiB chunk holds a CPU for a millisecond or more, and when no chunk
// is ready the engine maps and zeroes one itself. At the default priority it held a CPU while a
// server's I/O and engine threads waited: with the load generator on the other core, p99 at
// 20,000 orders/s was 1.6-2.7 ms, against 0.4-1.2 ms at nice 19 (bench/README.md, "Issue 12,
// sixth pass"). At nice 19 it still runs whenever a CPU is idle.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>

namespace credo {

class PrefaultThread {
 public:
  static constexpr int kNice = 19;

  // Starts the thread, keeping `spare_chunks` pre-faulted chunks ready, at nice value `nice`
  // (the server's is kNice). Returns once the thread has its name and its priority. A failure
  // to set the priority (a seccomp filter, say) is reported on stderr and leaves it at the
  // default priority: that works, with a worse tail. Tests that run beside others on a busy
  // machine pass 0, so that the thread keeps up (tests/stall/stall_test.cc says why).
  explicit PrefaultThread(std::size_t spare_chunks, int nice = kNice);
  // Stops the thread and waits for it.
  ~PrefaultThread();
  // Owns a thread that reads stop_: neither copied nor moved.
  PrefaultThread(const PrefaultThread&) = delete;
  PrefaultThread& operator=(const PrefaultThread&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace credo

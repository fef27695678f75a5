// The results stage (docs/architecture.md): answers to state changes wait here, in seq order,
// until the command log says their command is durable; then they go to the I/O thread.
// Answers to reads, and errors, pass straight through.
//
// Threads: deliver() and fail_if_log_failed() run on the engine thread; on_durable() on whatever
// thread the command log reports progress from (the journal's); post() from any thread. The
// hand-off to the I/O thread is asio::post. Its locks (the waiting queue's, and the two reuse
// caches' below) are each taken once per batch, never per answer.
//
// A hand-off allocates nothing in steady state (issue 12): the vectors that carry answers come
// back from the I/O thread to be reused, and asio takes the posted handler's memory from the
// handler's own allocator, a cache of a few fixed blocks. The engine thread runs outside the
// io_context, so asio's per-thread recycling cache would not serve it.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "net/answer.h"
#include "net/command_log.h"

namespace credo::net {

// A few fixed-size blocks, reused: the memory of the handlers that carry batches to the I/O
// thread (HandOffAllocator). Process-wide and never destroyed, so a handler still queued when
// its server's io_context is destroyed can give its block back. Thread-safe (one mutex, taken
// once per hand-off).
class HandOffBlocks {
 public:
  static constexpr std::size_t kBlockBytes = 512;
  static constexpr std::size_t kKeep = 64;
  static HandOffBlocks& instance();
  void* take(std::size_t bytes);
  void give(void* p, std::size_t bytes) noexcept;

 private:
  HandOffBlocks() { free_.reserve(kKeep); }
  std::mutex mu_;
  std::vector<void*> free_;
};

template <typename T>
struct HandOffAllocator {
  using value_type = T;
  HandOffAllocator() noexcept = default;
  template <typename U>
  HandOffAllocator(const HandOffAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit
  T* allocate(std::size_t n) {
    return static_cast<T*>(HandOffBlocks::instance().take(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    HandOffBlocks::instance().give(p, n * sizeof(T));
  }
  template <typename U>
  bool operator==(const HandOffAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const HandOffAllocator<U>&) const noexcept {
    return false;
  }
};

class ResultStage {
 public:
  ResultStage(boost::asio::io_context& io, const CommandLog& log) : io_(io), log_(log) {}
  ~ResultStage() = default;
  // Referenced by the engine loop and the log's callback: never copied or moved.
  ResultStage(const ResultStage&) = delete;
  ResultStage& operator=(const ResultStage&) = delete;
  ResultStage(ResultStage&&) = delete;
  ResultStage& operator=(ResultStage&&) = delete;

  // Engine thread: a batch of answers in seq order. Those that need no durability, or whose
  // command is durable already, go to the I/O thread now; the rest wait. Empties `batch`.
  void deliver(std::vector<Completion>& batch);

  // Any thread: the log's durable_seq advanced; release the answers waiting for it.
  void on_durable(uint64_t durable_seq);

  // Engine thread: if the log has failed, what became durable before the failure is answered
  // normally and every other waiting answer becomes an error saying the change may be lost.
  void fail_if_log_failed();

  // Any thread: send answers to the I/O thread as they are.
  void post(std::vector<Completion>&& batch);

  std::size_t waiting() const { return waiting_count_.load(std::memory_order_relaxed); }

 private:
  // The handler posted to the I/O thread: answers each completion, then gives the vector back.
  struct Delivery {
    ResultStage* stage;
    std::vector<Completion> batch;
    using allocator_type = HandOffAllocator<void>;
    static allocator_type get_allocator() noexcept { return {}; }
    void operator()();
  };
  // An empty vector for a batch: a returned one (with its capacity) if any.
  std::vector<Completion> take_batch();
  // I/O thread: a delivered batch's vector, kept for reuse while the kept ones have room for at
  // most kSpareAnswers answers in all (about 11 MiB: an answer is about 1.4 KB). Many small
  // batches can be in flight at once when the I/O thread waits for a CPU, so the count is
  // bounded by room, not by vectors.
  void give_batch(std::vector<Completion>&& batch);
  static constexpr std::size_t kSpareBatches = 128;
  static constexpr std::size_t kSpareAnswers = 8192;

  boost::asio::io_context& io_;
  const CommandLog& log_;
  std::mutex mu_;
  std::deque<Completion> waiting_;  // seq order
  std::atomic<std::size_t> waiting_count_{0};
  std::mutex spare_mu_;
  std::size_t spare_answers_ = 0;  // capacity of the kept vectors, in answers
  std::vector<std::vector<Completion>> spare_ = [] {
    std::vector<std::vector<Completion>> v;
    v.reserve(kSpareBatches);
    return v;
  }();
};

}  // namespace credo::net

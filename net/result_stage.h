// The results stage (docs/architecture.md): answers to state changes wait here, in seq order,
// until the command log says their command is durable; then they go to the I/O thread.
// Answers to reads, and errors, pass straight through.
//
// Threads: deliver() and fail_if_log_failed() run on the engine thread; on_durable() on whatever
// thread the command log reports progress from (the journal's); post() from any thread. The
// hand-off to the I/O thread is asio::post. The only lock guards the waiting queue, and it is
// taken once per batch, not per answer.
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
  boost::asio::io_context& io_;
  const CommandLog& log_;
  std::mutex mu_;
  std::deque<Completion> waiting_;  // seq order
  std::atomic<std::size_t> waiting_count_{0};
};

}  // namespace credo::net

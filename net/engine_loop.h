// The engine thread: the single writer (docs/architecture.md). It drains the engine queue in
// batches, stamps each command with business time and the next seq, applies it, appends
// successful state changes to the CommandLog, and hands the answers, as plain data, to the
// results stage. It never formats a response.
#pragma once

#include <blockingconcurrentqueue.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "engine/prefault_thread.h"
#include "net/answer.h"
#include "net/clock.h"
#include "net/command_log.h"
#include "net/counters.h"
#include "net/result_stage.h"
#include "net/server.h"

namespace credo::net {

class EngineLoop {
 public:
  // `io` is the I/O thread's context: with options.engine_inline the engine steps run there,
  // as handlers posted by submit() and a housekeeping timer, and there is no engine thread.
  EngineLoop(const ServerOptions& options, boost::asio::io_context& io, Engine& engine,
             CommandLog& log, Clock& clock, ResultStage& results, SharedCounters& counters);
  ~EngineLoop();
  // Owns a thread: copying would share (and join) it twice.
  EngineLoop(const EngineLoop&) = delete;
  EngineLoop& operator=(const EngineLoop&) = delete;

  // I/O thread. Queues a job; false when the queue is at its bound (answer OVERLOADED).
  bool submit(Job&& job);
  std::size_t queued() const {
    return options_.engine_inline ? inline_queued_.load(std::memory_order_relaxed)
                                  : queue_.size_approx();
  }

  void start();
  // Stops after the jobs already queued are processed; joins the thread.
  void stop();

  // Before start(): apply a command on the calling thread (startup).
  void apply_now(Command& cmd, Result& out);

 private:
  void run();
  // Stops the engine thread (or the inline mode's timer) and the prefault thread. Idempotent.
  void halt();
  // One engine step over `n` jobs (run()'s loop body, and the inline mode's handler): the
  // housekeeping, then each job, then the answers to the results stage.
  void step(Job* jobs, std::size_t n, std::vector<Completion>& batch);
  // Engine::prefetch for a job that is a command (a cache hint; changes nothing).
  void hint(const Job& job, Engine::PrefetchStage stage) const;
  // Inline mode (I/O thread): the jobs submitted since the last run, and the periodic timer.
  void run_inline();
  void arm_housekeeping();
  // Records the step that began at `since` (the stall detector); returns its end.
  std::chrono::steady_clock::time_point step_done(std::chrono::steady_clock::time_point since,
                                                  OpId op);
  void process(Job& job, Completion& done);
  void apply_command(Command& cmd, Result& out);
  // A tick's archived orders into the shared counters (stats, /metrics).
  void count_archived(const Result& out);
  // /metrics: counts the orders a successful submit decided (counters_.metrics).
  void count_orders(const Result& result);
  // Both say whether they did anything (a step for the stall detector).
  bool maybe_tick();
  bool check_log();
  void resume_log();
  Error refusal(const std::string& why) const;
  // Standby: applies the commands the log received from the primary. Says whether it did any.
  bool apply_replicated();
  int64_t park_us() const;

  const ServerOptions& options_;
  boost::asio::io_context& io_;
  Engine& engine_;
  CommandLog& log_;
  Clock& clock_;
  ResultStage& results_;
  SharedCounters& counters_;

  moodycamel::BlockingConcurrentQueue<Job> queue_;
  moodycamel::ProducerToken producer_;  // the I/O thread is the only producer
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  // Inline mode: jobs submitted and not yet run (I/O thread only), whether a run_inline() is
  // posted, the count for queued(), and the timer that wakes for ticks and the log's state.
  std::vector<Job> inline_jobs_;
  std::vector<Job> inline_running_;  // being run, from inline_head_ on
  std::size_t inline_head_ = 0;
  std::vector<Completion> inline_batch_;
  bool inline_posted_ = false;
  bool inline_started_ = false;
  std::atomic<std::size_t> inline_queued_{0};
  boost::asio::steady_timer housekeeping_;
  // Pre-faults the engine's memory and unmaps what it gives back (engine/prefault_thread.h),
  // so the engine thread does neither. Runs from start() to stop().
  std::optional<PrefaultThread> prefault_;

  uint64_t next_seq_ = 1;
  TimeMs last_tick_ms_ = 0;
  Result tick_result_;  // the answer of a timer tick, which nobody asked for
  Command command_;     // reused for every command
  std::vector<Command> replicated_;  // apply_replicated()'s batch, reused

  // The command log's failure as the engine thread handles it (check_log()): seen (logged, the
  // pending answers given their errors) and when a resume was last tried.
  bool log_failed_ = false;
  std::chrono::steady_clock::time_point log_failed_since_;
  std::chrono::steady_clock::time_point last_resume_try_;
};

}  // namespace credo::net

#include "net/engine_loop.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <boost/asio/post.hpp>

#include "engine/prefault_thread.h"

namespace credo::net {

namespace {
// Jobs taken from the queue at once: large enough to amortize the hand-off (one post to the I/O
// thread per batch), small enough that one batch does not delay the answers
// of its first requests noticeably (1024 orders take well under a millisecond).
constexpr std::size_t kBatchMax = 1024;
// While answers wait for durability the engine thread wakes at least this often to look for a
// failed log: the log reports progress (on_durable) but not failure, and the clients waiting
// should get their error promptly, not at the next tick. Costs nothing measurable: under load
// the thread wakes far more often anyway.
constexpr int64_t kFailurePollUs = 10'000;
// Pre-faulted 4 MiB chunks kept ready for the engine's tables: 32 MiB, ahead of ~100,000
// orders, refilled in a few milliseconds by the prefault thread.
constexpr std::size_t kSpareChunks = 8;
// A standby's engine thread looks for commands received from the primary at least this often.
constexpr int64_t kStandbyPollUs = 1'000;

// A standby's answer to a state change (docs/replication.md).
Error not_primary(const std::string& primary) {
  return Error{ErrorCode::NOT_PRIMARY,
               primary.empty() ? std::string("this server is a standby; the primary is not known "
                                             "yet: retry on another address")
                               : "this server is a standby; send state changes to the primary at " +
                                     primary,
               "", {}};
}
}  // namespace

Principal system_principal() {
  Principal p;
  p.name = Key::of("system");
  p.roles = kRoleAdmin;
  p.level = kMaxLevel;
  return p;
}

EngineLoop::EngineLoop(const ServerOptions& options, boost::asio::io_context& io, Engine& engine,
                       CommandLog& log, Clock& clock, ResultStage& results,
                       SharedCounters& counters)
    : options_(options),
      io_(io),
      engine_(engine),
      log_(log),
      clock_(clock),
      results_(results),
      counters_(counters),
      queue_(4096),
      producer_(queue_),
      housekeeping_(io) {
  EngineCounts c = engine_.counts();
  next_seq_ = c.last_seq + 1;
  // A recovered engine may be ahead of the clock (a manual clock, or a wall clock stepped back):
  // business time never goes backwards.
  clock_.advance_to(engine_.now());
  last_tick_ms_ = clock_.now();
  counters_.commands_applied.store(c.commands_applied);
  counters_.last_journaled_seq.store(c.last_seq);
  // The journal's progress goes forward to the results stage, never back into this loop.
  log_.set_on_durable([&results](uint64_t seq) { results.on_durable(seq); });
}

EngineLoop::~EngineLoop() {
  halt();
  // The log may outlive this loop (and keep syncing until it is closed): stop its callbacks
  // from reaching a destroyed object.
  log_.set_on_durable(nullptr);
}

bool EngineLoop::submit(Job&& job) {
  if (options_.engine_inline) {
    const std::size_t queued = inline_jobs_.size() + inline_running_.size() - inline_head_;
    if (queued >= options_.max_engine_queue) return false;
    inline_jobs_.push_back(std::move(job));
    inline_queued_.store(queued + 1, std::memory_order_relaxed);
    // One handler for everything submitted until it runs: the jobs of every line read in this
    // turn of the I/O loop become one engine step, as a drained queue does in thread mode.
    if (!inline_posted_) {
      inline_posted_ = true;
      boost::asio::post(io_, [this] { run_inline(); });
    }
    return true;
  }
  if (queue_.size_approx() >= options_.max_engine_queue) return false;
  return queue_.enqueue(producer_, std::move(job));
}

void EngineLoop::start() {
  // Named and lowered in priority before start() returns (the server listens after).
  prefault_.emplace(kSpareChunks);
  if (options_.engine_inline) {
    inline_started_ = true;
    arm_housekeeping();
    return;
  }
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "credo-engine");
}

// run_inline and arm_housekeeping post (or arm) themselves again: the I/O loop runs them later,
// never on one stack.
// NOLINTBEGIN(misc-no-recursion)
void EngineLoop::run_inline() {
  inline_posted_ = false;
  if (!inline_started_) return;  // stopped: stop() ran what was queued
  if (inline_head_ == inline_running_.size()) {
    // Take what was submitted since: jobs submitted while these run (none today: answers are
    // posted, not completed in place) would go to the other vector.
    inline_running_.clear();
    inline_head_ = 0;
    inline_running_.swap(inline_jobs_);
  }
  // At most kBatchMax jobs per step, as in thread mode: after a backlog, reads and writes of
  // the other connections interleave with the engine instead of waiting for all of it.
  const std::size_t n = std::min(kBatchMax, inline_running_.size() - inline_head_);
  step(inline_running_.data() + inline_head_, n, inline_batch_);
  inline_head_ += n;
  const std::size_t left = inline_running_.size() - inline_head_ + inline_jobs_.size();
  inline_queued_.store(left, std::memory_order_relaxed);
  if (left > 0 && !inline_posted_) {
    inline_posted_ = true;
    boost::asio::post(io_, [this] { run_inline(); });
  }
}

void EngineLoop::arm_housekeeping() {
  housekeeping_.expires_after(std::chrono::microseconds(park_us()));
  housekeeping_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !inline_started_) return;
    step(nullptr, 0, inline_batch_);
    arm_housekeeping();
  });
}
// NOLINTEND(misc-no-recursion)

void EngineLoop::stop() {
  // Inline, on the I/O thread (finish_shutdown): run what was submitted first.
  if (inline_started_)
    while (inline_head_ < inline_running_.size() || !inline_jobs_.empty()) run_inline();
  halt();
}

void EngineLoop::halt() {
  if (inline_started_) {
    // The timer's next handler sees this and returns (finish_shutdown stops the I/O loop
    // right after; the timer goes with this object).
    inline_started_ = false;
  } else if (thread_.joinable()) {
    stopping_.store(true);
    queue_.enqueue(Job{});  // wakes the thread if parked; a job without a session is skipped
    thread_.join();
  }
  prefault_.reset();
}

void EngineLoop::apply_now(Command& cmd, Result& out) {
  if (cmd.at == 0) cmd.at = clock_.now();
  clock_.advance_to(cmd.at);
  apply_command(cmd, out);
}

void EngineLoop::apply_command(Command& cmd, Result& out) {
  cmd.seq = next_seq_;
  engine_.apply(cmd, out);
  if (!out.ok()) return;  // nothing changed: the seq is reused by the next command
  log_.append(cmd);
  next_seq_++;
  counters_.commands_applied.fetch_add(1, std::memory_order_relaxed);
  counters_.last_journaled_seq.store(cmd.seq, std::memory_order_relaxed);
  count_archived(out);
}

void EngineLoop::count_archived(const Result& out) {
  if (const auto* tick = std::get_if<TickView>(&out.body))
    counters_.orders_archived.fetch_add(tick->orders_archived, std::memory_order_relaxed);
}

bool EngineLoop::maybe_tick() {
  // Only the system clock moves on its own; a manual clock moves (and ticks) by set_clock.
  if (options_.clock_mode != Clock::Mode::system) return false;
  TimeMs now = clock_.now();
  if (now - last_tick_ms_ < options_.tick_interval_ms) return false;
  last_tick_ms_ = now;
  std::string why;
  if (log_.failed(&why) || log_.standby(&why)) return false;  // a standby gets the primary's
  command_.at = now;
  command_.by = system_principal();
  command_.body = Tick{};
  apply_command(command_, tick_result_);
  if (!tick_result_.ok())
    std::fprintf(stderr, "credo-server: tick failed: %s\n", tick_result_.error.message.c_str());
  return true;
}

void EngineLoop::run() {
  std::vector<Job> jobs(kBatchMax);
  std::vector<Completion> batch;
  batch.reserve(kBatchMax);
  moodycamel::ConsumerToken consumer(queue_);
  const auto spin = std::chrono::microseconds(options_.engine_spin_us);

  while (true) {
    std::size_t n = queue_.try_dequeue_bulk(consumer, jobs.begin(), kBatchMax);
    if (n == 0 && spin.count() > 0) {
      // Spin briefly: under load the next request is usually microseconds away, and parking
      // costs a futex wake-up on the producer side (~5-10 us) for every batch.
      auto until = std::chrono::steady_clock::now() + spin;
      while (n == 0 && std::chrono::steady_clock::now() < until)
        n = queue_.try_dequeue_bulk(consumer, jobs.begin(), kBatchMax);
    }
    if (n == 0) n = queue_.wait_dequeue_bulk_timed(consumer, jobs.begin(), kBatchMax, park_us());
    step(jobs.data(), n, batch);
    if (stopping_.load() && queue_.size_approx() == 0) break;
  }
}

void EngineLoop::step(Job* jobs, std::size_t n, std::vector<Completion>& batch) {
  // At a batch boundary, so that a resume (which rolls the engine back) never happens while
  // an answer of this batch still waits to be delivered.
  auto t = std::chrono::steady_clock::now();
  bool housekeeping = check_log();
  if (apply_replicated()) housekeeping = true;
  if (maybe_tick() || housekeeping) t = step_done(t, op_id<Tick>());
  for (std::size_t i = 0; i < n; i++) {
    // Cache hints for the orders a few jobs on (Engine::prefetch): under load a step holds
    // hundreds of jobs, and their customers' records then come from memory in parallel.
    Engine::prefetch_ahead(
        i, n, [&](std::size_t j, Engine::PrefetchStage stage) { hint(jobs[j], stage); });
    Job& job = jobs[i];
    if (!job.session) continue;  // stop()'s wake-up
    Completion& done = batch.emplace_back();
    done.session = std::move(job.session);
    done.req_no = job.req_no;
    done.answer.op_id = job.request.op_id;
    done.answer.id_json = std::move(job.request.id_json);
    process(job, done);
    t = step_done(t, done.answer.op_id);
    if (!done.session) batch.pop_back();  // answered later (a snapshot)
  }
  if (!batch.empty()) results_.deliver(batch);
  results_.fail_if_log_failed();
}

void EngineLoop::hint(const Job& job, Engine::PrefetchStage stage) const {
  if (job.session && job.request.kind == RequestKind::command)
    engine_.prefetch(job.request.command, stage);
}

std::chrono::steady_clock::time_point EngineLoop::step_done(
    std::chrono::steady_clock::time_point since, OpId op) {
  const auto now = std::chrono::steady_clock::now();
  const auto ns =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - since).count());
  counters_.engine_steps.record(ns, op);
  counters_.metrics.engine_seconds[op].observe(ns);
  return now;
}

namespace {
// /metrics: one decided order (not a quote, not a duplicate's replay) by decision and reasons.
void count_order(MetricsCounters& m, const OrderView& o) {
  if (o.quote || o.duplicate) return;
  FixedHistogram::bump(m.orders[static_cast<std::size_t>(o.decision)], 1);
  uint32_t seen = 0;  // a reason on several lines counts once for the order
  for (const ReasonView& r : o.reasons) {
    const auto bit = uint32_t{1} << static_cast<unsigned>(r.code);
    if ((seen & bit) != 0) continue;
    seen |= bit;
    FixedHistogram::bump(m.order_reasons[static_cast<std::size_t>(r.code)], 1);
  }
}
}  // namespace

void EngineLoop::count_orders(const Result& result) {
  MetricsCounters& m = counters_.metrics;
  if (const auto* o = std::get_if<OrderView>(&result.body)) {
    count_order(m, *o);
  } else if (const auto* b = std::get_if<BatchView>(&result.body)) {
    for (const BatchView::Item& item : b->results)
      if (item.error.code == ErrorCode::OK) count_order(m, item.order);
  }
}

void EngineLoop::process(Job& job, Completion& done) {
  Request& req = job.request;
  Result& result = done.answer.result;
  switch (req.kind) {
    case RequestKind::command: {
      std::string why;
      if (log_.standby(&why)) {
        result.error = not_primary(why);
        return;
      }
      if (log_.failed(&why)) {
        result.error = refusal(why);
        return;
      }
      command_.at = clock_.now();
      command_.by = job.principal;
      command_.body = std::move(req.command);
      apply_command(command_, result);
      if (result.ok()) {
        done.seq = command_.seq;
        count_orders(result);
      }
      return;
    }
    case RequestKind::query: {
      Query q;
      q.at = clock_.now();
      q.by = job.principal;
      q.body = std::move(req.query);
      engine_.query(q, result);
      std::string primary;
      if (log_.standby(&primary)) done.answer.as_of_seq = next_seq_ - 1;
      return;
    }
    case RequestKind::set_clock: {
      if (clock_.mode() != Clock::Mode::manual) {
        result.error = Error{ErrorCode::INVALID_STATE,
                             "set_clock needs a server started with --clock manual", "", {}};
        return;
      }
      if (req.clock_now < clock_.now()) {
        result.error = Error{ErrorCode::INVALID_STATE, "time may not go backwards", "now", {}};
        return;
      }
      std::string why;
      if (log_.standby(&why)) {
        result.error = not_primary(why);
        return;
      }
      if (log_.failed(&why)) {
        result.error = refusal(why);
        return;
      }
      // The clock's move is itself a journaled Tick at the new time, so replay reaches the
      // same expiries without knowing about clocks.
      command_.at = req.clock_now;
      command_.by = job.principal;
      command_.body = Tick{};
      apply_command(command_, result);
      if (result.ok()) {
        clock_.advance_to(req.clock_now);
        done.seq = command_.seq;
      }
      return;
    }
    case RequestKind::snapshot: {
      // The engine thread pays only for the image; the answer comes when the file is durable.
      // Moving the completion out leaves `done` without a session: run() drops it from this
      // batch.
      auto answer = std::make_shared<Completion>(std::move(done));
      const auto started = std::chrono::steady_clock::now();
      log_.snapshot_async(engine_, [this, answer, started](bool ok, uint64_t seq,
                                                           const std::string& file,
                                                           const std::string& error) {
        if (ok)
          counters_.metrics.snapshot_seconds.observe_shared(static_cast<uint64_t>(
              std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count()));
        Answer& a = answer->answer;
        if (ok) {
          a.kind = Answer::Kind::snapshot;
          a.seq = seq;
          a.file = file;
        } else {
          a.result.error = Error{ErrorCode::INVALID_STATE, error, "", {}};
        }
        std::vector<Completion> one;
        one.push_back(std::move(*answer));
        results_.post(std::move(one));
      });
      return;
    }
    case RequestKind::state_hash:
      // Here, between two commands, so the hash is of exactly the state at next_seq_ - 1.
      // Costs a pass over the whole state (a diagnostic, not for the hot path).
      done.answer.kind = Answer::Kind::state_hash;
      done.answer.seq = next_seq_ - 1;
      done.answer.durable_seq = log_.durable_seq();
      done.answer.hash = engine_.state_hash();
      return;
    case RequestKind::step_down: {
      std::string error;
      if (!log_.step_down(&error)) result.error = Error{ErrorCode::INVALID_STATE, error, "", {}};
      return;
    }
    case RequestKind::hello:
    case RequestKind::ping:
    case RequestKind::stats:
    case RequestKind::metrics:
    case RequestKind::whoami:
      break;  // answered by the session
  }
  result.error = Error{ErrorCode::INTERNAL, "request kind not handled by the engine thread", "", {}};
}

Error EngineLoop::refusal(const std::string& why) const {
  // UNAVAILABLE (retryable); the message says that nothing was applied, so resubmitting later
  // is safe.
  return Error{ErrorCode::UNAVAILABLE,
               "the journal cannot write: " + why +
                   "; state changes are refused (this one was not applied) until it recovers; "
                   "the server retries every " +
                   std::to_string(options_.resume_interval_ms) + " ms",
               "", {}};
}

bool EngineLoop::apply_replicated() {
  log_.take_replicated(&replicated_);
  if (replicated_.empty()) return false;
  for (Command& cmd : replicated_) {
    // The stream holds exactly the primary's journal: the next record is the next seq, and a
    // deterministic engine applies it as the primary did. Anything else is a divergence that no
    // answer may be served from.
    if (cmd.seq != next_seq_) {
      std::fprintf(stderr, "credo-server: replicated command seq %llu, expected %llu; stopping\n",
                   static_cast<unsigned long long>(cmd.seq),
                   static_cast<unsigned long long>(next_seq_));
      std::abort();
    }
    clock_.advance_to(cmd.at);
    engine_.apply(cmd, tick_result_);
    if (!tick_result_.ok()) {
      std::fprintf(stderr,
                   "credo-server: replicated command seq %llu failed here (%s): the replicas "
                   "diverged; stopping\n",
                   static_cast<unsigned long long>(cmd.seq), tick_result_.error.message.c_str());
      std::abort();
    }
    count_archived(tick_result_);
    log_.append(cmd);
    next_seq_++;
    counters_.commands_applied.fetch_add(1, std::memory_order_relaxed);
    counters_.last_journaled_seq.store(cmd.seq, std::memory_order_relaxed);
  }
  replicated_.clear();
  return true;
}

int64_t EngineLoop::park_us() const {
  // Park at most until the next tick is due, so the system clock's time-triggered work runs
  // even when no requests arrive; while the log has failed, until the next resume is due; and
  // while answers wait for durability, briefly enough to notice a failure (kFailurePollUs).
  int64_t us = int64_t{options_.tick_interval_ms} * 1000;
  if (log_failed_) us = std::min<int64_t>(us, int64_t{options_.resume_interval_ms} * 1000);
  if (results_.waiting() > 0) us = std::min(us, kFailurePollUs);
  std::string primary;
  if (log_.standby(&primary)) us = std::min(us, kStandbyPollUs);
  return std::max<int64_t>(us, 1000);
}

bool EngineLoop::check_log() {
  std::string why;
  if (!log_.failed(&why)) return false;
  auto now = std::chrono::steady_clock::now();
  if (!log_failed_) {
    log_failed_ = true;
    log_failed_since_ = now;
    last_resume_try_ = {};  // the first retry at once: a passing fault rolls back sooner
    std::fprintf(stderr,
                 "credo-server: the journal failed at durable seq %llu: %s; refusing state "
                 "changes, retrying every %d ms\n",
                 static_cast<unsigned long long>(log_.durable_seq()), why.c_str(),
                 options_.resume_interval_ms);
  }
  // Every answer the failure left pending gets its error before a resume rolls its command
  // back: none of them may be released as ok by a log that starts over.
  results_.fail_if_log_failed();
  if (now - last_resume_try_ < std::chrono::milliseconds(options_.resume_interval_ms)) return true;
  last_resume_try_ = now;
  resume_log();
  return true;
}

void EngineLoop::resume_log() {
  const uint64_t durable_before = log_.durable_seq();
  const uint64_t applied_before = next_seq_ - 1;
  uint64_t last_seq = 0;
  std::string why;
  if (!log_.try_resume(engine_, &last_seq, &why)) return;  // still failing: refused as before
  // Broken durability, not an operating error: an answered command is gone. Stop loudly rather
  // than serve a state that contradicts answers already given.
  if (last_seq < durable_before) {
    std::fprintf(
        stderr, "credo-server: BUG: the journal resumed at seq %llu, below its durable seq %llu\n",
        static_cast<unsigned long long>(last_seq), static_cast<unsigned long long>(durable_before));
    std::abort();
  }
  const uint64_t rolled_back = applied_before > last_seq ? applied_before - last_seq : 0;
  next_seq_ = last_seq + 1;
  EngineCounts c = engine_.counts();
  counters_.commands_applied.store(c.commands_applied);
  counters_.last_journaled_seq.store(last_seq);
  clock_.advance_to(engine_.now());
  log_failed_ = false;
  auto failed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - log_failed_since_)
                       .count();
  std::fprintf(stderr,
               "credo-server: journal resumed at seq %llu after %lld ms; %llu %s not durable "
               "(answered with an error) rolled back\n",
               static_cast<unsigned long long>(last_seq), static_cast<long long>(failed_ms),
               static_cast<unsigned long long>(rolled_back),
               rolled_back == 1 ? "command that was" : "commands that were");
}

}  // namespace credo::net

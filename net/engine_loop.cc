// The engine thread: the single writer (DESIGN.md "Single writer"). It drains the engine queue
// in batches, stamps each command with business time and the next seq, applies it, appends
// successful state changes to the CommandLog, formats every answer, and hands answers back to
// the I/O thread once their command is durable.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "net/server_internal.h"
#include "net/server_responses.h"

namespace credo::net {

namespace {
// Jobs taken from the queue at once: large enough to amortize the hand-off (one post to the I/O
// thread and one end_batch() per batch), small enough that one batch does not delay the answers
// of its first requests noticeably (1024 orders take well under a millisecond).
constexpr std::size_t kBatchMax = 1024;
// While answers wait for durability the engine thread wakes at least this often to look for a
// failed log: the log reports progress (on_durable) but not failure, and the clients waiting
// should get their error promptly, not at the next tick. Costs nothing measurable: under load
// the thread wakes far more often anyway.
constexpr int64_t kFailurePollUs = 10'000;
}  // namespace

Principal system_principal() {
  Principal p;
  p.name = Key::of("system");
  p.roles = kRoleAdmin;
  p.level = kMaxLevel;
  return p;
}

EngineLoop::EngineLoop(const ServerOptions& options, Engine& engine, CommandLog& log, Clock& clock,
                       asio::io_context& io, SharedCounters& counters)
    : options_(options),
      engine_(engine),
      log_(log),
      clock_(clock),
      io_(io),
      counters_(counters),
      queue_(4096),
      producer_(queue_) {
  EngineCounts c = engine_.counts();
  next_seq_ = c.last_seq + 1;
  // A recovered engine may be ahead of the clock (a manual clock, or a wall clock stepped back):
  // business time never goes backwards.
  clock_.advance_to(engine_.now());
  last_tick_ms_ = clock_.now();
  counters_.commands_applied.store(c.commands_applied);
  counters_.last_journaled_seq.store(c.last_seq);
  log_.set_on_durable([this](uint64_t seq) { on_durable(seq); });
}

EngineLoop::~EngineLoop() {
  stop();
  // The log may outlive this loop (and keep syncing until it is closed): stop its callbacks
  // from reaching a destroyed object.
  log_.set_on_durable(nullptr);
}

bool EngineLoop::submit(Job&& job) {
  if (queue_.size_approx() >= options_.max_engine_queue) return false;
  return queue_.enqueue(producer_, std::move(job));
}

void EngineLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void EngineLoop::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  queue_.enqueue(Job{});  // wakes the thread if it is parked; a job without a session is skipped
  thread_.join();
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
}

void EngineLoop::maybe_tick() {
  // Only the system clock moves on its own; a manual clock moves (and ticks) by set_clock.
  if (options_.clock_mode != Clock::Mode::system) return;
  TimeMs now = clock_.now();
  if (now - last_tick_ms_ < options_.tick_interval_ms) return;
  last_tick_ms_ = now;
  std::string why;
  if (log_.failed(&why)) return;
  command_.at = now;
  command_.by = system_principal();
  command_.body = Tick{};
  apply_command(command_, result_);
  if (!result_.ok())
    std::fprintf(stderr, "credo-server: tick failed: %s\n", result_.error.message.c_str());
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

    // At a batch boundary, so that a resume (which rolls the engine back) never happens while
    // an answer of this batch still waits to be delivered.
    check_log();
    maybe_tick();
    for (std::size_t i = 0; i < n; i++) {
      Job& job = jobs[i];
      if (!job.session) continue;  // stop()'s wake-up
      Completion done;
      done.session = std::move(job.session);
      done.req_no = job.req_no;
      process(job, done);
      if (!done.deferred) batch.push_back(std::move(done));
    }
    if (n > 0) {
      log_.end_batch();
      deliver(batch);
      batch.clear();
    }
    fail_waiting_if_log_failed();
    if (stopping_.load() && queue_.size_approx() == 0) break;
  }
}

void EngineLoop::process(Job& job, Completion& done) {
  Request& req = job.request;
  std::string& out = done.response;
  switch (req.kind) {
    case RequestKind::command: {
      std::string why;
      if (log_.failed(&why)) {
        refuse_change(out, req.id_json, why);
        return;
      }
      command_.at = clock_.now();
      command_.by = job.principal;
      command_.body = std::move(req.command);
      apply_command(command_, result_);
      if (result_.ok()) {
        done.seq = command_.seq;
        done.id_json = req.id_json;
      }
      write_result(out, req.id_json, req.op_id, result_);
      return;
    }
    case RequestKind::query: {
      Query q;
      q.at = clock_.now();
      q.by = job.principal;
      q.body = std::move(req.query);
      engine_.query(q, result_);
      write_result(out, req.id_json, req.op_id, result_);
      return;
    }
    case RequestKind::set_clock: {
      if (clock_.mode() != Clock::Mode::manual) {
        write_error(out, req.id_json,
                    Error{ErrorCode::INVALID_STATE,
                          "set_clock needs a server started with --clock manual", ""});
        return;
      }
      if (req.clock_now < clock_.now()) {
        write_error(out, req.id_json,
                    Error{ErrorCode::INVALID_STATE, "time may not go backwards", "now"});
        return;
      }
      std::string why;
      if (log_.failed(&why)) {
        refuse_change(out, req.id_json, why);
        return;
      }
      // The clock's move is itself a journaled Tick at the new time, so replay reaches the
      // same expiries without knowing about clocks.
      command_.at = req.clock_now;
      command_.by = job.principal;
      command_.body = Tick{};
      apply_command(command_, result_);
      if (result_.ok()) {
        clock_.advance_to(req.clock_now);
        done.seq = command_.seq;
        done.id_json = req.id_json;
      }
      write_result(out, req.id_json, req.op_id, result_);
      return;
    }
    case RequestKind::snapshot: {
      // The engine thread pays only for the image; the answer comes when the file is durable.
      done.deferred = true;
      auto session = std::move(done.session);
      uint64_t req_no = done.req_no;
      std::string id_json = req.id_json;
      log_.snapshot_async(
          engine_, [this, session, req_no, id_json](bool ok, uint64_t seq, const std::string& file,
                                                    const std::string& error) {
            std::vector<Completion> answer(1);
            answer[0].session = session;
            answer[0].req_no = req_no;
            if (ok)
              write_snapshot_ok(answer[0].response, id_json, seq, file);
            else
              write_error(answer[0].response, id_json, Error{ErrorCode::INVALID_STATE, error, ""});
            post_to_io(std::move(answer));
          });
      return;
    }
    case RequestKind::state_hash:
      // Here, between two commands, so the hash is of exactly the state at next_seq_ - 1.
      // Costs a pass over the whole state (a diagnostic, not for the hot path).
      write_state_hash_ok(out, req.id_json, next_seq_ - 1, log_.durable_seq(),
                          engine_.state_hash());
      return;
    case RequestKind::hello:
    case RequestKind::ping:
    case RequestKind::stats:
      break;  // answered by the session
  }
  write_error(out, req.id_json,
              Error{ErrorCode::INTERNAL, "request kind not handled by the engine thread", ""});
}

void EngineLoop::deliver(std::vector<Completion>& batch) {
  uint64_t durable = log_.durable_seq();
  std::vector<Completion> now;
  now.reserve(batch.size());
  std::size_t waiting_added = 0;
  {
    std::unique_lock lock(waiting_mu_, std::defer_lock);
    for (Completion& c : batch) {
      if (c.seq == 0 || c.seq <= durable) {
        now.push_back(std::move(c));
      } else {
        if (!lock.owns_lock()) lock.lock();
        waiting_.push_back(std::move(c));
        waiting_added++;
      }
    }
    if (waiting_added > 0) waiting_count_.fetch_add(waiting_added);
  }
  if (!now.empty()) post_to_io(std::move(now));
  // The log may have become durable between the check above and the push: re-check so nothing
  // waits for an advance that already happened.
  if (waiting_added > 0) on_durable(log_.durable_seq());
}

void EngineLoop::on_durable(uint64_t durable_seq) {
  if (waiting_count_.load() == 0) return;
  std::vector<Completion> released;
  {
    std::lock_guard lock(waiting_mu_);
    while (!waiting_.empty() && waiting_.front().seq <= durable_seq) {
      released.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
    }
    waiting_count_.fetch_sub(released.size());
  }
  if (!released.empty()) post_to_io(std::move(released));
}

void EngineLoop::fail_waiting_if_log_failed() {
  if (waiting_count_.load() == 0) return;
  std::string why;
  if (!log_.failed(&why)) return;
  // What became durable before the failure is answered normally; the rest cannot be promised
  // any more. The engine applied it, but a resume (or a restart) recovers only what the log
  // kept, so the honest answer is an error that says the change may be lost. "May": after a
  // failed fdatasync the record may still reach the disk and survive a restart; a resume cuts
  // the log back to its last good sync, which rolls the change back.
  on_durable(log_.durable_seq());
  std::vector<Completion> failed;
  {
    std::lock_guard lock(waiting_mu_);
    while (!waiting_.empty()) {
      failed.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
    }
    waiting_count_.fetch_sub(failed.size());
  }
  for (Completion& c : failed) {
    c.response.clear();
    write_error(c.response, c.id_json,
                Error{ErrorCode::INTERNAL,
                      "the journal failed before this change was durable (" + why +
                          "); it may be lost: check its outcome once the server accepts changes "
                          "again",
                      ""});
  }
  if (!failed.empty()) post_to_io(std::move(failed));
}

void EngineLoop::refuse_change(std::string& out, std::string_view id_json, const std::string& why) {
  // INTERNAL, the code PROTOCOL.md's clients already handle as "the server could not do it";
  // the message says that nothing was applied, so resubmitting later is safe.
  write_error(out, id_json,
              Error{ErrorCode::INTERNAL,
                    "the journal cannot write: " + why +
                        "; state changes are refused (this one was not applied) until it "
                        "recovers; the server retries every " +
                        std::to_string(options_.resume_interval_ms) + " ms",
                    ""});
}

int64_t EngineLoop::park_us() const {
  // Park at most until the next tick is due, so the system clock's time-triggered work runs
  // even when no requests arrive; while the log has failed, until the next resume is due; and
  // while answers wait for durability, briefly enough to notice a failure (kFailurePollUs).
  int64_t us = int64_t{options_.tick_interval_ms} * 1000;
  if (log_failed_) us = std::min<int64_t>(us, int64_t{options_.resume_interval_ms} * 1000);
  if (waiting_count_.load(std::memory_order_relaxed) > 0) us = std::min(us, kFailurePollUs);
  return std::max<int64_t>(us, 1000);
}

void EngineLoop::check_log() {
  std::string why;
  if (!log_.failed(&why)) return;
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
  fail_waiting_if_log_failed();
  if (now - last_resume_try_ < std::chrono::milliseconds(options_.resume_interval_ms)) return;
  last_resume_try_ = now;
  resume_log();
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

void EngineLoop::post_to_io(std::vector<Completion>&& batch) {
  asio::post(io_, [batch = std::move(batch)]() mutable {
    for (Completion& c : batch) c.session->complete(c.req_no, std::move(c.response));
  });
}

}  // namespace credo::net

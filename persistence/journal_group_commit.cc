// Group commit (journal.h): the engine thread appends framed records to a bounded buffer; one
// loop body, journal_step(), takes the whole buffer as a batch, writes it with one write,
// syncs per the durability mode and advances durable_seq. The journal thread runs it in
// journal_loop(); in manual mode (threads = false) pump() and the waits run the same body on
// the caller's thread.
#include <algorithm>

#include "engine/assert.h"
#include "persistence/journal.h"
#include "persistence/journal_internal.h"
#include "persistence/wal_format.h"
#include "persistence/wal_writer.h"

namespace credo {

bool Journal::append(const Command& cmd) {
  if (!open_) return false;
  // Checked (not asserted away): a wrong seq would write a log that recovery rejects.
  if (cmd.seq != last_seq() + 1) {
    std::lock_guard<std::mutex> lock(mu_);
    fail("append: seq " + std::to_string(cmd.seq) + " does not follow " +
         std::to_string(last_seq()));
    return false;
  }
  scratch_.clear();
  std::string err;
  if (!wal::append_record(cmd, scratch_, &err)) {
    std::lock_guard<std::mutex> lock(mu_);
    fail("append: cannot encode seq " + std::to_string(cmd.seq) + ": " + err);
    return false;
  }
  bool was_empty = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (failed_) return false;
    // Bounded buffer: wait for the journal thread only when it is full. A record larger than
    // the whole buffer is let in alone.
    if (!pending_.empty() && pending_.size() + scratch_.size() > options_.buffer_bytes) {
      ++stats_.append_waits;
      if (options_.threads) {
        space_cv_.wait(lock, [&] {
          return failed_ || pending_.empty() ||
                 pending_.size() + scratch_.size() <= options_.buffer_bytes;
        });
      } else {
        journal_step(lock);  // manual mode: write the full buffer now
      }
      if (failed_) return false;
    }
    // The buffer holds consecutive records: the reader treats a hole as a gap.
    CREDO_ASSERT(pending_.empty() || cmd.seq == pending_last_seq_ + 1);
    was_empty = pending_.empty();
    if (was_empty) pending_first_seq_ = cmd.seq;
    pending_.append(scratch_);
    pending_last_seq_ = cmd.seq;
    ++stats_.records;
    stats_.bytes += scratch_.size();
    last_seq_.store(cmd.seq, std::memory_order_release);
  }
  // The journal thread only sleeps when nothing is pending, so only the first record of a
  // batch needs to wake it: one futex call per batch instead of one per command.
  if (was_empty) work_cv_.notify_one();

  if (options_.durability == Durability::none) {
    durable_seq_.store(cmd.seq, std::memory_order_release);
    if (options_.on_durable) options_.on_durable(cmd.seq);
  }
  if (options_.snapshot_every_commands != 0 &&
      cmd.seq - last_snapshot_seq_ >= options_.snapshot_every_commands) {
    // Skipped (and retried on the next append) while a snapshot is still being written.
    start_snapshot(*engine_, nullptr, /*wait_if_busy=*/false);
  }
  return true;
}

bool Journal::has_journal_work() const {
  return failed_ || stop_ || !pending_.empty() || sync_request_seq_ > synced_seq_;
}

void Journal::journal_loop() {
  const auto interval = std::chrono::milliseconds(options_.batch_interval_ms);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    const bool unsynced = synced_seq_ < written_seq_;
    auto has_work = [&] { return has_journal_work(); };
    if (options_.durability == Durability::batch && unsynced) {
      work_cv_.wait_until(lock, last_sync_ + interval, has_work);
    } else {
      work_cv_.wait(lock, has_work);
    }
    if (!journal_step(lock)) break;
  }
  durable_cv_.notify_all();
}

bool Journal::journal_step(std::unique_lock<std::mutex>& lock) {
  if (failed_) return false;
  if (stop_ && pending_.empty() && synced_seq_ == written_seq_) return false;

  batch_.swap(pending_);
  pending_.clear();
  const uint64_t first = pending_first_seq_;
  const uint64_t last = batch_.empty() ? written_seq_ : pending_last_seq_;
  // Before the write: the batch continues exactly where the file ends (recovery reads a hole
  // or an overlap as a gap, i.e. refuses to start).
  CREDO_ASSERT(batch_.empty() || (first == written_seq_ + 1 && last >= first),
               "WAL batch does not follow the records written");
  pending_first_seq_ = pending_last_seq_ = 0;
  const bool sync_requested = sync_request_seq_ > synced_seq_;
  const bool stopping = stop_;
  lock.unlock();
  space_cv_.notify_all();

  Status s;
  if (!batch_.empty()) s = writer_->append(batch_, first);
  bool do_sync = false;
  switch (options_.durability) {
    case Durability::fsync:
      do_sync = true;
      break;
    case Durability::batch:
      // Manual mode has no clock: every step is a sync point (deterministic runs).
      do_sync =
          sync_requested || stopping || !options_.threads ||
          JournalClock::now() - last_sync_ >= std::chrono::milliseconds(options_.batch_interval_ms);
      break;
    case Durability::none:
      do_sync = sync_requested || stopping;
      break;
  }
  uint64_t sync_us = 0;
  if (s.ok() && do_sync && last > synced_seq_) {
    const auto t0 = JournalClock::now();
    s = writer_->sync();
    last_sync_ = JournalClock::now();
    sync_us = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(last_sync_ - t0).count());
  }
  const bool wrote = !batch_.empty();
  batch_.clear();

  lock.lock();
  if (!s.ok()) {
    fail(s.message);
    return false;
  }
  if (wrote) {
    ++stats_.batches;
    stats_.batch_records.add(last - first + 1);
    written_seq_ = last;
  }
  if (do_sync && last > synced_seq_) {
    ++stats_.syncs;
    stats_.sync_us.add(sync_us);
    synced_seq_ = last;
  }
  CREDO_ASSERT(synced_seq_ <= written_seq_, "synced past what was written");
  uint64_t durable = options_.durability == Durability::fsync   ? synced_seq_
                     : options_.durability == Durability::batch ? written_seq_
                                                                : 0;
  if (durable > durable_seq_.load(std::memory_order_relaxed)) {
    durable_seq_.store(durable, std::memory_order_release);
    durable_cv_.notify_all();
    if (options_.on_durable) {
      lock.unlock();
      options_.on_durable(durable);
      lock.lock();
    }
  } else {
    durable_cv_.notify_all();  // sync requests wait on synced_seq_
  }
  return true;
}

bool Journal::wait_durable(uint64_t seq) {
  if (!options_.threads && durable_seq() < seq && seq <= last_seq()) sync_wal_through(seq, nullptr);
  std::unique_lock<std::mutex> lock(mu_);
  durable_cv_.wait(lock, [&] { return failed_ || durable_seq() >= seq; });
  return durable_seq() >= seq;
}

bool Journal::sync_wal_through(uint64_t seq, std::string* error) {
  std::unique_lock<std::mutex> lock(mu_);
  sync_request_seq_ = std::max(sync_request_seq_, seq);
  if (options_.threads) {
    work_cv_.notify_one();
    durable_cv_.wait(lock, [&] { return failed_ || synced_seq_ >= seq; });
  } else {
    // Everything up to last_seq() is pending or written, so one step syncs through it; the
    // bound only guards against a step that makes no progress.
    for (int i = 0; i < 4 && !failed_ && synced_seq_ < seq; ++i) journal_step(lock);
  }
  if (synced_seq_ >= seq) return true;
  if (error) *error = "journal failed: " + failure_;
  return false;
}

bool Journal::pump() {
  if (!open_ || options_.threads) return !failed();
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (has_journal_work() && !stop_) journal_step(lock);
  }
  run_queued_snapshot();
  return !failed();
}

}  // namespace credo

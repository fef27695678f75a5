#include "persistence/journal.h"

#include <xxhash.h>

#include <algorithm>
#include <chrono>

#include "persistence/snapshot.h"
#include "persistence/wal_format.h"
#include "persistence/wal_writer.h"

namespace credo {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

const char* to_string(Durability d) {
  switch (d) {
    case Durability::fsync:
      return "fsync";
    case Durability::batch:
      return "batch";
    case Durability::none:
      return "none";
  }
  return "?";
}

bool parse(std::string_view s, Durability* out) {
  if (s == "fsync")
    *out = Durability::fsync;
  else if (s == "batch")
    *out = Durability::batch;
  else if (s == "none")
    *out = Durability::none;
  else
    return false;
  return true;
}

struct Journal::SnapshotJob {
  uint64_t seq = 0;
  snapshot::Header header;
  std::string image;
  SnapshotInfo info;
  SnapshotCallback done;
  bool finished = false;
  bool ok = false;
  std::string error;
};

Journal::Journal() = default;

Journal::~Journal() {
  if (open_) close(nullptr);
}

void Journal::log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

bool Journal::open(const JournalOptions& options, Engine& engine, RecoveryReport* report,
                   std::string* error) {
  if (open_) {
    if (error) *error = "journal already open";
    return false;
  }
  options_ = options;
  options_.snapshots_to_keep = std::max<uint32_t>(1, options_.snapshots_to_keep);
  options_.buffer_bytes = std::max<uint64_t>(options_.buffer_bytes, 4096);
  fs_ = options_.fs != nullptr ? options_.fs : posix_file_system();
  engine_ = &engine;

  Status s = fs_->create_dir(options_.dir);
  if (!s.ok()) {
    if (error) *error = s.message;
    return false;
  }
  stats_ = Stats{};
  if (!start(engine, report, error)) return false;
  open_ = true;
  return true;
}

bool Journal::start(Engine& into, RecoveryReport* report, std::string* error) {
  RecoveryReport local;
  RecoveryReport* r = report != nullptr ? report : &local;
  RecoveryOptions ropt;
  ropt.repair = options_.repair;
  std::string err;
  if (!recover(fs_, options_.dir, ropt, into, r, &err)) {
    if (error) *error = err;
    return false;
  }
  for (const std::string& m : r->messages) log("recovery: " + m);

  writer_ = std::make_unique<wal::Writer>(fs_, options_.dir, options_.segment_bytes);
  Status s = writer_->start_segment(r->last_seq + 1);
  if (!s.ok()) {
    if (error) *error = s.message;
    // Nothing but the new segment's file can be unsynced here; the next attempt (reopen, or
    // open after a restart) starts that segment again with truncate.
    writer_.reset();
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  last_seq_.store(r->last_seq, std::memory_order_release);
  durable_seq_.store(r->last_seq, std::memory_order_release);
  written_seq_ = synced_seq_ = r->last_seq;
  sync_request_seq_ = 0;
  last_snapshot_seq_ = r->snapshot_seq;
  pending_.clear();
  pending_.reserve(std::min<uint64_t>(options_.buffer_bytes, 1 << 20));
  pending_first_seq_ = pending_last_seq_ = 0;
  batch_.reserve(std::min<uint64_t>(options_.buffer_bytes, 1 << 20));
  last_sync_ = Clock::now();
  stop_ = snap_stop_ = failed_ = false;
  failure_.clear();
  if (options_.threads) {
    journal_thread_ = std::thread([this] { journal_loop(); });
    snapshot_thread_ = std::thread([this] { snapshot_loop(); });
  }
  return true;
}

bool Journal::failed(std::string* why) const {
  // No lock while healthy: fail() sets failure_ before failed_, both under mu_, so the lock
  // is only needed to read failure_ once failed_ is seen.
  if (!failed_.load(std::memory_order_acquire)) return false;
  std::lock_guard<std::mutex> lock(mu_);
  if (why) *why = failure_;
  return true;
}

void Journal::fail(const std::string& why) {
  if (!failed_) {
    failure_ = why;
    failed_.store(true, std::memory_order_release);
  }
  space_cv_.notify_all();
  durable_cv_.notify_all();
}

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
      do_sync = sync_requested || stopping || !options_.threads ||
                Clock::now() - last_sync_ >= std::chrono::milliseconds(options_.batch_interval_ms);
      break;
    case Durability::none:
      do_sync = sync_requested || stopping;
      break;
  }
  if (s.ok() && do_sync && last > synced_seq_) {
    s = writer_->sync();
    last_sync_ = Clock::now();
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
    written_seq_ = last;
  }
  if (do_sync && last > synced_seq_) {
    ++stats_.syncs;
    synced_seq_ = last;
  }
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

bool Journal::start_snapshot(const Engine& engine, SnapshotCallback done, bool wait_if_busy) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (failed_ || !open_) return false;
    if (snap_job_ != nullptr) {
      if (!wait_if_busy) return false;
      if (!options_.threads) {
        lock.unlock();
        run_queued_snapshot();
        lock.lock();
      }
      snap_cv_.wait(lock, [&] { return snap_job_ == nullptr || failed_; });
      if (failed_) return false;
    }
  }
  auto job = std::make_unique<SnapshotJob>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    job->image = std::move(spare_image_);
  }
  const Clock::time_point t0 = Clock::now();
  engine.save(job->image);
  job->header.seq = last_seq();
  job->header.now_ms = engine.now();
  // state_hash() is XXH3-64 of exactly these bytes (engine.h): hashing the image is one fast
  // pass over memory instead of a second walk of the state on the engine thread.
  job->header.state_hash = XXH3_64bits(job->image.data(), job->image.size());
  job->info.pause_ms = ms_since(t0);
  job->info.seq = job->header.seq;
  job->info.bytes = job->image.size();
  job->seq = job->header.seq;
  job->done = std::move(done);
  last_snapshot_seq_ = job->seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap_job_ = std::move(job);
  }
  snap_cv_.notify_all();
  return true;
}

bool Journal::snapshot_async(const Engine& engine, SnapshotCallback done) {
  return start_snapshot(engine, std::move(done), /*wait_if_busy=*/false);
}

bool Journal::snapshot(const Engine& engine, SnapshotInfo* info, std::string* error) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
    bool ok = false;
    SnapshotInfo info;
    std::string error;
  };
  auto w = std::make_shared<Waiter>();
  auto done = [w](bool ok, const SnapshotInfo& i, const std::string& e) {
    std::lock_guard<std::mutex> lock(w->mu);
    w->finished = true;
    w->ok = ok;
    w->info = i;
    w->error = e;
    w->cv.notify_all();
  };
  if (!start_snapshot(engine, done, /*wait_if_busy=*/true)) {
    std::string why;
    failed(&why);
    if (error) *error = "snapshot not started: " + (why.empty() ? "journal not open" : why);
    return false;
  }
  if (!options_.threads) run_queued_snapshot();
  std::unique_lock<std::mutex> lock(w->mu);
  w->cv.wait(lock, [&] { return w->finished; });
  if (info) *info = w->info;
  if (!w->ok && error) *error = w->error;
  return w->ok;
}

void Journal::snapshot_loop() {
  for (;;) {
    SnapshotJob* job = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      snap_cv_.wait(lock, [&] { return snap_stop_ || (snap_job_ && !snap_job_->finished); });
      if (snap_job_ && !snap_job_->finished) {
        job = snap_job_.get();
      } else if (snap_stop_) {
        return;
      }
    }
    run_snapshot_job(job);
  }
}

void Journal::run_queued_snapshot() {
  SnapshotJob* job = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (snap_job_ && !snap_job_->finished) job = snap_job_.get();
  }
  if (job != nullptr) run_snapshot_job(job);
}

void Journal::run_snapshot_job(SnapshotJob* job) {
  const Clock::time_point t0 = Clock::now();
  std::string err;
  // No snapshot may be ahead of its log: if the snapshot survived a crash and the log did
  // not, recovery would find a gap between the old log and the next segment.
  bool ok = sync_wal_through(job->seq, &err);
  if (ok) {
    Status s = snapshot::write(fs_, options_.dir, job->header, job->image, &job->info.file);
    if (!s.ok()) {
      ok = false;
      err = s.message;
    }
  }
  {
    // Keep the buffer for the next snapshot: refilling memory that is already mapped is
    // ~30x faster than growing a fresh string (measured: 1M customers, 146 MB image,
    // save() 1250 ms into a new string, 40 ms into a reused one), and that is the pause.
    std::lock_guard<std::mutex> lock(mu_);
    job->image.clear();
    spare_image_ = std::move(job->image);
  }
  if (ok) {
    // Retention: the newest K snapshots, and the WAL segments the oldest of them covers.
    std::vector<uint64_t> seqs;
    if (snapshot::list(fs_, options_.dir, &seqs).ok() &&
        seqs.size() >= options_.snapshots_to_keep) {
      for (std::size_t i = options_.snapshots_to_keep; i < seqs.size(); ++i)
        if (fs_->remove(join_path(options_.dir, wal::snapshot_name(seqs[i]))).ok())
          ++job->info.snapshots_removed;
      const uint64_t oldest_kept = seqs[options_.snapshots_to_keep - 1];
      std::vector<std::string> names;
      std::vector<uint64_t> firsts;
      if (fs_->list(options_.dir, &names).ok()) {
        for (const std::string& n : names) {
          uint64_t f;
          if (wal::parse_segment_name(n, &f)) firsts.push_back(f);
        }
        std::sort(firsts.begin(), firsts.end());
        for (std::size_t i = 0; i + 1 < firsts.size(); ++i) {
          if (firsts[i + 1] > oldest_kept + 1) break;
          if (fs_->remove(join_path(options_.dir, wal::segment_name(firsts[i]))).ok())
            ++job->info.segments_removed;
        }
      }
      if (job->info.snapshots_removed + job->info.segments_removed > 0) fs_->sync_dir(options_.dir);
    }
  }
  job->info.write_seconds = ms_since(t0) / 1000;
  if (ok) {
    log("snapshot " + job->info.file + ": " + std::to_string(job->info.bytes) + " bytes, pause " +
        std::to_string(job->info.pause_ms) + " ms, written in " +
        std::to_string(job->info.write_seconds) + " s");
  } else {
    log("snapshot at seq " + std::to_string(job->seq) + " failed: " + err);
  }
  SnapshotCallback done = std::move(job->done);
  SnapshotInfo info = job->info;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ok) ++stats_.snapshots;
    snap_job_.reset();
  }
  snap_cv_.notify_all();
  if (done) done(ok, info, err);
}

void Journal::stop_threads() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  if (journal_thread_.joinable()) journal_thread_.join();
  if (!options_.threads) {
    // What the journal thread would do before it exits: write and sync what is pending.
    std::unique_lock<std::mutex> lock(mu_);
    for (int i = 0; i < 4 && journal_step(lock); ++i) {
    }
  }
  // A snapshot in flight either finishes (the WAL is synced by now) or fails fast.
  if (!options_.threads) run_queued_snapshot();
  {
    std::unique_lock<std::mutex> lock(mu_);
    snap_cv_.wait(lock, [&] { return snap_job_ == nullptr; });
    snap_stop_ = true;
  }
  snap_cv_.notify_all();
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

bool Journal::close(std::string* error) {
  if (!open_) return true;
  stop_threads();
  Status s = writer_ != nullptr ? writer_->close() : Status::Ok();
  writer_.reset();
  open_ = false;
  std::lock_guard<std::mutex> lock(mu_);
  if (!s.ok()) fail(s.message);
  if (failed_) {
    if (error) *error = failure_;
    return false;
  }
  return true;
}

bool Journal::reopen(Engine& engine, RecoveryReport* report, std::string* error) {
  std::string why;
  if (!open_ || !failed(&why)) {
    if (error) *error = open_ ? "journal has not failed" : "journal not open";
    return false;
  }
  stop_threads();  // the journal thread has exited already (failed); this joins it
  const uint64_t durable_before = durable_seq();
  if (writer_ != nullptr) {
    // A failed fsync may have dropped the dirty pages while the file still looks complete:
    // only what a sync confirmed is kept (batch mode answered at write, so keeps writes).
    Status s = writer_->discard_unsynced(options_.durability != Durability::fsync);
    if (!s.ok()) {
      if (error) *error = "reopen: " + s.message;
      return false;
    }
    writer_.reset();
  }
  // Recover into a fresh engine: on failure the caller's engine is untouched (it may still
  // serve reads), and the journal stays failed.
  Engine recovered;
  RecoveryReport local;
  RecoveryReport* r = report != nullptr ? report : &local;
  std::string err;
  if (!start(recovered, r, &err)) {  // leaves failed_ set unless it succeeds
    if (error) *error = "reopen: " + err;
    return false;
  }
  // Durability::none promises nothing past a clean close, so only the others are checked.
  if (options_.durability != Durability::none && r->last_seq < durable_before) {
    // Never expected: it would mean a command was answered that the disk does not hold.
    stop_threads();
    writer_.reset();
    std::lock_guard<std::mutex> lock(mu_);
    fail("reopen: recovered seq " + std::to_string(r->last_seq) + " is behind durable seq " +
         std::to_string(durable_before));
    if (error) *error = failure_;
    return false;
  }
  engine = std::move(recovered);
  engine_ = &engine;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.reopens;
  }
  log("journal reopened at seq " + std::to_string(r->last_seq) + " after: " + why);
  return true;
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

Journal::Stats Journal::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace credo

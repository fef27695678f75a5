// Snapshots (journal.h): the engine thread saves the image (the pause) and queues it; the
// snapshot thread (or pump() in manual mode) syncs the WAL through the snapshot's seq, writes
// the file (snapshot.h) and removes what it makes redundant (retention.h).
#include <xxhash.h>

#include <memory>

#include "engine/assert.h"
#include "persistence/journal.h"
#include "persistence/journal_internal.h"
#include "persistence/retention.h"

namespace credo {

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
  const JournalClock::time_point t0 = JournalClock::now();
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
  // Snapshots only move forward: retention keeps the newest by seq, so an older one would
  // be written only to be removed.
  CREDO_ASSERT(job->seq >= last_snapshot_seq_, "snapshot behind the last one");
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
  const JournalClock::time_point t0 = JournalClock::now();
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
    const RetentionResult removed =
        remove_redundant_files(fs_, options_.dir, options_.snapshots_to_keep);
    job->info.snapshots_removed = removed.snapshots_removed;
    job->info.segments_removed = removed.segments_removed;
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

}  // namespace credo

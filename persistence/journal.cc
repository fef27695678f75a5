// The journal's life cycle (journal.h): open and recovery into a started journal, failure,
// close, and reopen after a failure. The two stages it runs live next door:
//   journal_group_commit.cc  append, the writer loop (journal thread or pump()), durable seq
//   journal_snapshot.cc      snapshots: the image on the engine thread, the write, retention
#include "persistence/journal.h"

#include <pthread.h>

#include <algorithm>

#include "persistence/journal_internal.h"
#include "persistence/wal_writer.h"

namespace credo {

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
  stats_ = JournalStats{};
  // A threaded journal is a server's, opened before it serves: nothing else zeroes memory yet.
  if (!start(engine, /*prefault=*/options_.threads, report, error)) return false;
  open_ = true;
  return true;
}

bool Journal::start(Engine& into, bool prefault, RecoveryReport* report, std::string* error) {
  RecoveryReport local;
  RecoveryReport* r = report != nullptr ? report : &local;
  RecoveryOptions ropt;
  ropt.repair = options_.repair;
  ropt.prefault_thread = prefault;
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
  last_sync_ = JournalClock::now();
  stop_ = snap_stop_ = failed_ = false;
  failure_.clear();
  if (options_.threads) {
    journal_thread_ = std::thread([this] { journal_loop(); });
    snapshot_thread_ = std::thread([this] { snapshot_loop(); });
    pthread_setname_np(journal_thread_.native_handle(), "credo-journal");
    pthread_setname_np(snapshot_thread_.native_handle(), "credo-snapshot");
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
  // No prefault thread of its own: a server reopens while its engine loop's runs.
  if (!start(recovered, /*prefault=*/false, r, &err)) {  // leaves failed_ set unless it succeeds
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
    ++stats_.resumes;
  }
  log("journal reopened at seq " + std::to_string(r->last_seq) + " after: " + why);
  return true;
}

JournalStats Journal::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace credo

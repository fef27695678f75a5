#include "tools/server/journal_log.h"

namespace credo {

namespace {

// The file try_resume() writes, fdatasyncs and removes. Recovery ignores files it does not
// know, so one left behind by a crash does no harm (and the next probe truncates it).
constexpr const char* kProbeFile = "resume-probe";
// One page: what any append of the journal needs at least.
constexpr std::size_t kProbeBytes = 4096;

// Whether the directory takes a write and an fdatasync again. Reopening the journal recovers
// the whole engine from the directory on the engine thread (seconds for a large state), so a
// disk that still fails must cost this small probe per retry, not a recovery; and a resumed
// journal must not fail again at its first batch, which a recovery alone would not show (it
// only reads, and starting a segment does not fdatasync it).
Status probe_writable(FileSystem* fs, const std::string& dir) {
  const std::string path = join_path(dir, kProbeFile);
  std::unique_ptr<WritableFile> file;
  Status s = fs->open_writable(path, /*truncate=*/true, &file);
  if (!s.ok()) return s;
  s = file->append(std::string(kProbeBytes, '\0'));
  if (s.ok()) s = file->sync();
  Status c = file->close();
  if (s.ok()) s = c;
  fs->remove(path);  // best effort: see kProbeFile
  return s;
}

}  // namespace

JournalLog::JournalLog() = default;
JournalLog::~JournalLog() {
  journal_.close(nullptr);
}

bool JournalLog::open(JournalOptions options, Engine& engine, RecoveryReport* report,
                      std::string* error) {
  options.on_durable = [this](uint64_t seq) {
    std::function<void(uint64_t)> cb;
    {
      std::lock_guard lock(cb_mu_);
      cb = on_durable_;
    }
    if (cb) cb(seq);
  };
  fs_ = options.fs != nullptr ? options.fs : posix_file_system();
  dir_ = options.dir;
  return journal_.open(options, engine, report, error);
}

bool JournalLog::try_resume(Engine& e, uint64_t* last_seq, std::string* why) {
  Status s = probe_writable(fs_, dir_);
  if (!s.ok()) {
    *why = "probe write: " + s.message;
    return false;
  }
  if (!journal_.reopen(e, nullptr, why)) return false;
  *last_seq = journal_.last_seq();
  return true;
}

void JournalLog::set_on_durable(std::function<void(uint64_t)> cb) {
  std::lock_guard lock(cb_mu_);
  on_durable_ = std::move(cb);
}

void JournalLog::append(const Command& cmd) {
  // A false return makes the journal's failure sticky; the server sees it through failed()
  // and answers the commands that did not become durable with an error.
  (void)journal_.append(cmd);
}

bool JournalLog::snapshot(const Engine& e, uint64_t* seq, std::string* file, std::string* error) {
  SnapshotInfo info;
  if (!journal_.snapshot(e, &info, error)) return false;
  *seq = info.seq;
  *file = info.file;
  return true;
}

void JournalLog::snapshot_async(const Engine& e, SnapshotDone done) {
  bool started = journal_.snapshot_async(
      e, [done](bool ok, const SnapshotInfo& info, const std::string& error) {
        done(ok, info.seq, info.file, error);
      });
  // One already in flight (or the journal failed): fall back to the waiting kind, which queues
  // behind the one in flight and reports the journal's failure.
  if (!started) CommandLog::snapshot_async(e, std::move(done));
}

// Two structs with the same counters on purpose: net::JournalStats is the seam's vocabulary
// (net/ may not depend on persistence/), JournalStats the journal's; this adapter is the one
// place that knows both.
bool JournalLog::journal_stats(net::JournalStats* out) const {
  const JournalStats s = journal_.stats();
  out->batches = s.batches;
  out->syncs = s.syncs;
  out->records = s.records;
  out->bytes = s.bytes;
  out->append_waits = s.append_waits;
  out->snapshots = s.snapshots;
  out->resumes = s.resumes;
  out->sync_us = s.sync_us;
  out->batch_records = s.batch_records;
  return true;
}

}  // namespace credo

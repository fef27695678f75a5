#include "net/journal_log.h"

namespace credo::net {

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
  return journal_.open(options, engine, report, error);
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

bool JournalLog::journal_stats(JournalStats* out) const {
  Journal::Stats s = journal_.stats();
  out->batches = s.batches;
  out->syncs = s.syncs;
  out->records = s.records;
  out->bytes = s.bytes;
  out->append_waits = s.append_waits;
  out->snapshots = s.snapshots;
  return true;
}

}  // namespace credo::net

// CommandLog over persistence::Journal (the write-ahead log with group commit): what the server
// uses when it runs with --data. The adapter lives here, with the server's main, so that net/
// (which defines the CommandLog seam) never depends on persistence/: the two meet only in the
// program that wires them together (docs/architecture.md).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "net/command_log.h"
#include "persistence/journal.h"

namespace credo {

class JournalLog final : public net::CommandLog {
 public:
  JournalLog();
  ~JournalLog() override;
  // Owns a thread / file descriptor: copying would share (and close) it twice.
  JournalLog(const JournalLog&) = delete;
  JournalLog& operator=(const JournalLog&) = delete;

  // Recovers `engine` from options.dir and starts the journal. `engine` must stay at the same
  // address for the life of this log (the journal reads it for automatic snapshots).
  // options.on_durable is replaced (set_on_durable() provides the callback).
  bool open(JournalOptions options, Engine& engine, RecoveryReport* report, std::string* error);

  void append(const Command& cmd) override;
  uint64_t durable_seq() const override { return journal_.durable_seq(); }
  void set_on_durable(std::function<void(uint64_t)> cb) override;
  bool failed(std::string* why) const override { return journal_.failed(why); }
  // Probes the directory with a small write and fdatasync (see kProbeFile), and only if that
  // passes reopens the journal (Journal::reopen: cut back to the last good sync, recover).
  bool try_resume(Engine& e, uint64_t* last_seq, std::string* why) override;
  bool snapshot(const Engine& e, uint64_t* seq, std::string* file, std::string* error) override;
  void snapshot_async(const Engine& e, SnapshotDone done) override;
  bool journal_stats(net::JournalStats* out) const override;
  bool close(std::string* error) override { return journal_.close(error); }

 private:
  Journal journal_;
  FileSystem* fs_ = nullptr;  // the journal's, for the resume probe
  std::string dir_;
  // The callback is set after open() (the server is built around an already recovered engine)
  // and read on the journal thread, hence the lock.
  mutable std::mutex cb_mu_;
  std::function<void(uint64_t)> on_durable_;
};

}  // namespace credo

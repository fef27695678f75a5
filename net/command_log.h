// The durability seam between the engine thread and the write-ahead log.
//
// The engine thread applies a command, and if it succeeded, appends it here. The answer to that
// command is released to its client only once durable_seq() >= the command's seq (docs/protocol.md
// "Durability": a state-changing request is answered only after it is durable). The server does
// not know how durability is achieved: persistence::Journal (group commit + fdatasync on its own
// thread) implements this interface through an adapter; MemoryLog below is the stand-in used
// when there is no --data directory.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/command.h"
#include "engine/log2_histogram.h"
#include "engine/engine.h"

namespace credo::net {

// Counters of a journaling log since it was opened (the stats op shows them).
struct JournalStats {
  uint64_t batches = 0;       // group commits
  uint64_t syncs = 0;         // fdatasyncs
  uint64_t records = 0;       // records appended
  uint64_t bytes = 0;         // bytes appended
  uint64_t append_waits = 0;  // times append found the buffer full
  uint64_t snapshots = 0;
  uint64_t resumes = 0;  // times the log failed and was resumed (try_resume)
  SyncMicrosHistogram sync_us;          // how long each fdatasync took
  BatchRecordsHistogram batch_records;  // records in each batch written
};

// Where a replicated log stands (docs/replication.md); the stats op shows it.
struct ReplicationStats {
  std::string role;           // "primary", "standby" or "fenced"
  std::string primary;        // the primary's address when known ("" if not)
  uint64_t applied_seq = 0;   // last command seq this node has (applied or appended)
  uint64_t replicated_seq = 0;  // last command seq acknowledged by / received from the stream
  uint64_t stream_seq = 0;    // last stream message sequence seen
  uint64_t lag_messages = 0;  // standby: stream messages not yet received
  uint64_t published = 0;     // primary: messages published
};

class CommandLog {
 public:
  virtual ~CommandLog() = default;

  // Records a command the engine applied successfully. Called on the engine thread only, in
  // seq order (each seq is the previous one + 1). May buffer; durability is reported through
  // durable_seq() / the on_durable callback.
  virtual void append(const Command& cmd) = 0;

  // The highest seq that is durable (every seq <= it survives a crash). Thread-safe.
  virtual uint64_t durable_seq() const = 0;

  // `cb(durable_seq)` is called (from any thread, e.g. the journal's) whenever durable_seq
  // advances. Set once, before the first append. A log that is durable synchronously inside
  // append() may call it from append().
  virtual void set_on_durable(std::function<void(uint64_t)> cb) = 0;

  // True when the log can no longer make commands durable (disk full, I/O error): the server
  // then stops accepting state changes and answers them with an error carrying `*why`.
  // Thread-safe.
  virtual bool failed(std::string* why) const = 0;

  // After failed(): tries to make the log writable again (the disk has room again, the I/O error
  // has cleared). Engine thread only, with no append waiting for durability (every answer the
  // failure left pending has been given its error).
  // On true: `e` has been rolled back to exactly the commands that are durable, *last_seq is
  // the last of them, failed() is false and append() continues at *last_seq + 1.
  // On false: *why says why; the log stays failed and `e` is unchanged, so it may be retried.
  // Default: a log that cannot resume (it stays failed until the server restarts).
  virtual bool try_resume(Engine& /*e*/, uint64_t* /*last_seq*/, std::string* why) {
    *why = "this command log cannot resume; restart the server";
    return false;
  }

  // Writes a snapshot of `e` (engine thread, so `e` is consistent). On success returns true with
  // the snapshot's seq and file name, once the snapshot is durable; else false with `*error`.
  virtual bool snapshot(const Engine& e, uint64_t* seq, std::string* file, std::string* error) = 0;

  // Like snapshot(), but the engine thread only pays for taking the image: the rest (writing,
  // fsync) happens elsewhere and `done` is called from any thread once the snapshot is durable
  // or has failed. Default: snapshot() right here, then done.
  using SnapshotDone =
      std::function<void(bool ok, uint64_t seq, const std::string& file, const std::string& error)>;
  // By value: overrides keep `done` until the snapshot is durable (this default does not).
  // NOLINTNEXTLINE(performance-unnecessary-value-param)
  virtual void snapshot_async(const Engine& e, SnapshotDone done) {
    uint64_t seq = 0;
    std::string file, error;
    bool ok = snapshot(e, &seq, &file, &error);
    done(ok, seq, file, error);
  }

  // Fills *out and returns true if this log journals to disk; false (the default) otherwise.
  // Thread-safe.
  virtual bool journal_stats(JournalStats* /*out*/) const { return false; }

  // ---- replication (docs/replication.md); a local log keeps every default ----
  // True while this node is a standby: state changes are refused with NOT_PRIMARY, naming
  // `*primary` (the primary's address, "" if unknown). Thread-safe.
  virtual bool standby(std::string* /*primary*/) const { return false; }
  // Standby, engine thread: moves the commands received from the primary (seq, at and by set,
  // in seq order) into *out; the engine thread applies each and append()s it.
  virtual void take_replicated(std::vector<Command>* /*out*/) {}
  // Admin switchover (op step_down), engine thread: a primary stops accepting changes, waits
  // for what it appended to be replicated, gives up its lease and follows the new primary.
  // False with *error when this node cannot (not replicated, not the primary).
  virtual bool step_down(std::string* error) {
    *error = "this server does not replicate (start it with --replicate)";
    return false;
  }
  // Fills *out and returns true if this log replicates. Thread-safe.
  virtual bool replication_stats(ReplicationStats* /*out*/) const { return false; }

  // Makes everything appended durable and stops (clean shutdown, after the engine thread has
  // stopped). False with `*error` if that fails.
  virtual bool close(std::string* /*error*/) { return true; }
};

// Keeps nothing: every appended command is "durable" at once. Used when the server runs
// without --data (state lives in memory only and is lost on exit; the server says so at start).
class MemoryLog final : public CommandLog {
 public:
  void append(const Command& cmd) override {
    durable_seq_.store(cmd.seq, std::memory_order_release);
    if (on_durable_) on_durable_(cmd.seq);
  }
  uint64_t durable_seq() const override { return durable_seq_.load(std::memory_order_acquire); }
  void set_on_durable(std::function<void(uint64_t)> cb) override { on_durable_ = std::move(cb); }
  bool failed(std::string*) const override { return false; }
  bool snapshot(const Engine&, uint64_t*, std::string*, std::string* error) override {
    *error = "no --data directory: the server keeps state in memory only";
    return false;
  }

 private:
  std::atomic<uint64_t> durable_seq_{0};
  std::function<void(uint64_t)> on_durable_;
};

}  // namespace credo::net

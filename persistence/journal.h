// The journal: durability for the engine. Recovers the engine from the data directory, then
// takes every successfully applied command from the engine thread and makes it durable in the
// write-ahead log with group commit; takes snapshots and prunes what they make redundant.
//
//   engine thread                        journal thread                   snapshot thread
//   apply(cmd) ok -> append(cmd) ──▶ [bounded buffer] ─▶ write batch,
//                                                       fdatasync once,
//                                                       durable_seq = last, on_durable(last)
//   snapshot(engine): save() ──────────────────────────────────────────▶ sync WAL to seq,
//                                                                        write .tmp, fsync,
//                                                                        rename, prune
//
// Threading: open, append, snapshot and close are called by one thread (the engine thread,
// which owns the Engine). last_seq, durable_seq, failed and wait_durable may be called from
// any thread.
//
// Failure: a write or fsync error is sticky: failed() turns true, durable_seq stops advancing
// and append() returns false from then on. The server must stop accepting state changes; the
// commands applied but not durable are not answered. reopen() (when the fault has cleared) or
// a restart recovers what is durable: after a failed fsync, nothing written since the last
// good one is trusted.
//
// Manual mode (JournalOptions::threads = false, for the deterministic simulator in tests/dsim):
// no threads; the journal thread's and the snapshot thread's work happens when the caller
// calls pump() (and, when they must wait for the disk, inside append, snapshot, wait_durable
// and close), on the caller's thread, through the same code.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/engine.h"
#include "persistence/file_system.h"
#include "persistence/journal_stats.h"
#include "persistence/recovery.h"

namespace credo {

namespace wal {
class Writer;
}

enum class Durability : uint8_t {
  fsync,  // (default) a command is durable when the fdatasync of its batch returns
  batch,  // durable when written (survives a process crash); fdatasync at most every
          // batch_interval_ms (a power loss may lose that window)
  none,   // durable at append; nothing waits for the disk (benchmarks only)
};
const char* to_string(Durability d);
bool parse(std::string_view s, Durability* out);

struct JournalOptions {
  std::string dir;  // the data directory; created if missing
  Durability durability = Durability::fsync;
  uint32_t batch_interval_ms = 10;       // batch mode: at most one fdatasync per interval
  uint64_t segment_bytes = 64ull << 20;  // start a new segment past this (at a batch boundary)
  uint64_t buffer_bytes = 16ull << 20;   // pending records not yet written; append waits when full
  uint64_t snapshot_every_commands = 0;  // 0: only when asked
  uint32_t snapshots_to_keep = 2;        // >= 1
  bool repair = false;                   // cut corruption at open instead of refusing to start
  FileSystem* fs = nullptr;              // nullptr: POSIX
  // Called on the journal thread (the engine thread in mode none and in manual mode) whenever
  // durable_seq advances, with the new value. Must not block for long: it delays the next batch.
  std::function<void(uint64_t durable_seq)> on_durable;
  // Log lines (recovery messages, snapshot results). nullptr: silent.
  std::function<void(const std::string&)> log;
  // false: manual mode (see above). Batch mode then syncs at every pump instead of on a clock,
  // so that a run depends on nothing but the order of calls.
  bool threads = true;
};

struct SnapshotInfo {
  uint64_t seq = 0;
  std::string file;          // "snap-....snap"
  uint64_t bytes = 0;        // body size
  double pause_ms = 0;       // engine thread: save() + state_hash()
  double write_seconds = 0;  // background: WAL sync, write, fsync, rename
  uint32_t snapshots_removed = 0;
  uint32_t segments_removed = 0;
};
using SnapshotCallback =
    std::function<void(bool ok, const SnapshotInfo& info, const std::string& error)>;

class Journal {
 public:
  Journal();
  ~Journal();  // close() if still open
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Recovers `engine` from options.dir (see recovery.h), cuts a torn tail, refuses
  // corruption unless options.repair, starts a new segment and the journal thread.
  // `engine` must outlive the journal (automatic snapshots read it from append()).
  // Returns false and sets *error if recovery fails or the directory is unusable.
  bool open(const JournalOptions& options, Engine& engine, RecoveryReport* report,
            std::string* error);

  // Journals a command that the engine has just applied successfully.
  // REQUIRES: open; cmd.seq == last_seq() + 1.
  // Copies the encoded record into the buffer and returns; blocks only while the buffer is
  // full. Returns false if the journal has failed (sticky) or the command cannot be encoded
  // (which also fails the journal: the engine's state now holds a change the log cannot).
  bool append(const Command& cmd);

  uint64_t last_seq() const { return last_seq_.load(std::memory_order_acquire); }
  uint64_t durable_seq() const { return durable_seq_.load(std::memory_order_acquire); }
  // True after a write, fsync or encode failure; *why says which.
  bool failed(std::string* why = nullptr) const;
  // Blocks until durable_seq() >= seq; false if the journal fails first.
  bool wait_durable(uint64_t seq);

  // Snapshot of `engine` at last_seq(): save() on this thread (the pause), the rest on the
  // snapshot thread. Waits for a snapshot already in flight, then for this one to be durable.
  // REQUIRES: engine has applied exactly the commands up to last_seq().
  bool snapshot(const Engine& engine, SnapshotInfo* info, std::string* error);
  // Same, without waiting for the disk: `done` is called on the snapshot thread. Returns
  // false (and does not call `done`) if a snapshot is already in flight or the journal failed.
  bool snapshot_async(const Engine& engine, SnapshotCallback done);

  // Writes and fsyncs everything pending, waits for a snapshot in flight, stops the threads.
  // Returns false if the journal had failed or the final sync fails.
  bool close(std::string* error = nullptr);

  // After failed(): tries to resume. Stops the threads (a snapshot in flight finishes or
  // fails first), drops what was never synced (cuts the current segment back to its last
  // successful fdatasync; in Durability::batch, to its last successful write, since batch
  // answers once written), then recovers from the directory as open() does, into a fresh
  // engine that replaces `engine` only on success, and starts a new segment and the threads.
  // On true: `engine` is at durable_seq() == last_seq() (every command applied after the last
  // durable one is gone; the recovered seq may exceed the durable_seq() before the failure
  // when a segment roll had synced more than was reported), and append() works again. The
  // caller must re-read last_seq() before numbering the next command. on_durable is not
  // called for the recovered seq.
  // On false (*error says why: the file system still fails, or the journal had not failed):
  // the journal stays failed, `engine` is untouched, and reopen may be tried again.
  // REQUIRES: open; the caller's thread is the engine thread; `engine` is the engine given
  // to open().
  bool reopen(Engine& engine, RecoveryReport* report, std::string* error);

  // Manual mode only: writes the pending batch, syncs per the durability mode, advances
  // durable_seq (calling on_durable), then runs a queued snapshot job. Returns !failed().
  bool pump();

  JournalStats stats() const;

 private:
  struct SnapshotJob;  // journal_internal.h

  // Life cycle (journal.cc).
  // Recovers `into` from the directory, starts a segment, resets the counters and starts the
  // threads (threaded mode). Shared by open() and reopen(). `prefault`: run a prefault thread
  // during the replay (RecoveryOptions::prefault_thread).
  bool start(Engine& into, bool prefault, RecoveryReport* report, std::string* error);
  void stop_threads();
  void fail(const std::string& why);  // REQUIRES: mu_ held
  void log(const std::string& line) const;

  // Group commit (journal_group_commit.cc).
  void journal_loop();
  // One round of the journal thread's work: takes the pending batch, writes it (mu_ released
  // during I/O), syncs when due, advances the seqs and calls on_durable. Returns false when
  // the loop is over: the journal failed, or it is stopping with nothing left to write.
  // The journal thread's loop and manual mode (pump, the waits, stop) all run this body.
  // REQUIRES: `lock` holds mu_ (held again on return).
  bool journal_step(std::unique_lock<std::mutex>& lock);
  bool has_journal_work() const;  // REQUIRES: mu_ held
  bool sync_wal_through(uint64_t seq, std::string* error);

  // Snapshots (journal_snapshot.cc).
  bool start_snapshot(const Engine& engine, SnapshotCallback done, bool wait_if_busy);
  void snapshot_loop();
  // Writes a queued snapshot job (sync the WAL to its seq, write, rename, prune) and calls its
  // callback. Snapshot thread, or the caller in manual mode.
  void run_snapshot_job(SnapshotJob* job);
  void run_queued_snapshot();  // manual mode: the job in snap_job_, if any

  JournalOptions options_;
  FileSystem* fs_ = nullptr;
  Engine* engine_ = nullptr;
  bool open_ = false;

  std::atomic<uint64_t> last_seq_{0};
  std::atomic<uint64_t> durable_seq_{0};
  std::string scratch_;  // engine thread: the record being encoded

  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // journal thread: something to do
  std::condition_variable space_cv_;    // append: buffer has room
  std::condition_variable durable_cv_;  // wait_durable, sync_wal_through
  std::string pending_;                 // framed records not yet handed to the writer
  uint64_t pending_first_seq_ = 0;      // seq of the first record in pending_ (0: empty)
  uint64_t pending_last_seq_ = 0;
  uint64_t written_seq_ = 0;       // written to the file (maybe not synced)
  uint64_t synced_seq_ = 0;        // fdatasynced
  uint64_t sync_request_seq_ = 0;  // someone waits for synced_seq_ >= this
  bool stop_ = false;
  // Written under mu_ (with failure_), but atomic so that failed() (asked by the engine thread
  // once per command) reads it without taking mu_ on the common path where it is false.
  std::atomic<bool> failed_{false};
  std::string batch_;  // journal_step: the batch being written (journal thread or pump)
  std::chrono::steady_clock::time_point last_sync_;  // batch mode's interval
  std::string failure_;
  JournalStats stats_;

  // Snapshot thread state (guarded by mu_).
  std::condition_variable snap_cv_;
  std::unique_ptr<SnapshotJob> snap_job_;  // queued or running; null when idle
  bool snap_stop_ = false;
  uint64_t last_snapshot_seq_ = 0;  // engine thread: for snapshot_every_commands
  std::string spare_image_;  // the last snapshot's buffer, reused by the next (guarded by mu_)

  std::thread journal_thread_;
  std::thread snapshot_thread_;
  std::unique_ptr<wal::Writer> writer_;  // used by the journal thread only (after open)
};

}  // namespace credo

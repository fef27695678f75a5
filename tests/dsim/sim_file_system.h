// An in-memory FileSystem for the deterministic simulator (dsim_test.cc) that models what a
// power loss keeps, and injects the faults a real disk has. Single-threaded, like the journal
// in manual mode that uses it; every random choice comes from the seed.
//
// What is durable (survives crash()):
//   - file data: per file (inode), the bytes up to its durable length, which a successful
//     sync() (fdatasync), write_file() or truncate() sets to the file's length. The unsynced
//     tail after it survives whole, as a random prefix (torn), as zeros (the size reached the
//     disk, the data did not) or not at all: a seeded choice per file at each crash.
//   - directory entries: create, rename and remove are durable once sync_dir() of their
//     directory returns. At a crash each unsynced one is kept or undone, independently (POSIX
//     promises no order between them), applied in their original order.
//   - open_writable(truncate) of an existing file and truncate() cut its durable data at once
//     (a simplification: real file systems may bring the old bytes back; nothing relies on it).
//
// Faults (switched on and off by the simulator):
//   - short_write: the next appends and write_files write a random prefix, then fail ENOSPC.
//   - fail_sync: sync() and write_file() fail with EIO; per failing sync, a seeded choice of
//     what the failed writeback did to the unsynced tail (kept in the cache, zeroed, or lost),
//     as Linux may drop the dirty pages after a writeback error.
//   - capacity_bytes: a full disk: writes past the total size of all files stop there, ENOSPC.
//   - crash_after_ops(k): the k-th operation from now is done partly (a write of a prefix, a
//     rename or remove that may or may not happen, a sync that does nothing), then the
//     "machine" is down: every later operation fails with EIO until crash() or revive().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "persistence/file_system.h"

namespace credo::dsim {

class SimFileSystem : public FileSystem {
 public:
  explicit SimFileSystem(uint64_t seed);

  // ---- faults ------------------------------------------------------------------------------
  bool short_write = false;
  bool fail_sync = false;
  uint64_t capacity_bytes = UINT64_MAX;
  // Counts down on every operation; the one that reaches 0 is done partly and takes the
  // machine down. 0: off.
  void crash_after_ops(uint64_t k) { ops_until_crash_ = k; }
  bool down() const { return down_; }
  // Takes the machine down now (every operation fails) without touching the files: a process
  // about to be killed, or a power loss about to happen.
  void go_down() { down_ = true; }
  // Clears every fault and brings the machine back with the files as they are (a process kill
  // keeps what it wrote: the kernel still has it).
  void revive();
  // Power loss: every file becomes what the disk holds (above), unsynced directory changes
  // are kept or undone, faults are cleared and the machine is back up.
  void crash();

  // ---- what happened (for the simulator's counters and traces) ------------------------------
  struct Stats {
    uint64_t ops = 0;
    uint64_t syncs = 0;
    uint64_t failed_syncs = 0;
    uint64_t short_writes = 0;
    uint64_t disk_full_writes = 0;
    uint64_t crashes = 0;
    uint64_t torn_tails = 0;     // files that kept a random prefix of their unsynced tail
    uint64_t dropped_tails = 0;  // files that lost all of it
    uint64_t zeroed_tails = 0;   // files whose unsynced tail came back as zeros
    uint64_t kept_tails = 0;     // files that kept all of it
    uint64_t undone_dir_ops = 0;
  };
  const Stats& stats() const { return stats_; }
  // The operation a crash point hit ("append /d/wal-...log 123 bytes"), "" when none did
  // since the last crash() or revive().
  const std::string& crash_op() const { return crash_op_; }
  uint64_t used_bytes() const;  // sum of the sizes of all files

  // ---- FileSystem ---------------------------------------------------------------------------
  Status open_writable(const std::string& path, bool truncate,
                       std::unique_ptr<WritableFile>* out) override;
  Status read_file(const std::string& path, std::string* out) override;
  Status write_file(const std::string& path, std::string_view data) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status truncate(const std::string& path, uint64_t size_bytes) override;
  Status remove(const std::string& path) override;
  Status list(const std::string& dir, std::vector<std::string>* names) override;
  Status file_size(const std::string& path, uint64_t* size_bytes) override;
  Status create_dir(const std::string& dir) override;
  Status sync_dir(const std::string& dir) override;

  // For SimFile (the WritableFile).
  struct Inode {
    std::string data;
    uint64_t durable_bytes = 0;
  };
  // Starts an operation: counts it, and says how it goes. kFail: the machine is down (EIO);
  // kPartial: this is the crash point (do part of it, then the machine is down); kDo: normal.
  enum class Step { kDo, kPartial, kFail };
  Step begin(const std::string& what);
  // Appends `data` to `inode`, or the prefix that short_write, the capacity or a crash point
  // (step kPartial) lets through, with the error they give.
  Status write_bytes(Inode& inode, std::string_view data, const std::string& path, Step step);
  Status sync_inode(Inode& inode, const std::string& path);
  uint64_t random(uint64_t n) { return n == 0 ? 0 : rng_() % n; }  // [0, n)

 private:
  struct DirOp {
    enum Kind { link, unlink, rename } kind;
    std::string name;  // full path (rename: the old one)
    std::string to;    // rename: the new path
    std::shared_ptr<Inode> inode;
  };
  static std::string dir_of(const std::string& path);
  void link(const std::string& path, std::shared_ptr<Inode> inode);
  void unlink(const std::string& path);
  Status down_error(const std::string& what) const;

  std::mt19937_64 rng_;
  std::map<std::string, std::shared_ptr<Inode>> names_;          // what the process sees
  std::map<std::string, std::shared_ptr<Inode>> durable_names_;  // what the disk's dirs hold
  std::vector<DirOp> unsynced_;                                  // in order
  std::vector<std::string> dirs_;
  uint64_t ops_until_crash_ = 0;
  bool down_ = false;
  Stats stats_;
  std::string crash_op_;
};

}  // namespace credo::dsim

// Recovery: rebuild an engine from a data directory (docs/wal_format.md, "Recovery"): the
// newest valid snapshot, then replay of every later WAL record, each of which must apply
// successfully and carry the next sequence number.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "persistence/file_system.h"

namespace credo {

struct RecoveryReport {
  uint64_t snapshot_seq = 0;      // 0: no snapshot, replayed from the start
  std::string snapshot_file;      // "" when none
  uint64_t records_replayed = 0;  // records applied after the snapshot
  uint64_t last_seq = 0;          // seq of the state: max(snapshot_seq, last replayed)
  double seconds = 0;             // wall time of the whole recovery
  double replay_seconds = 0;      // of which replaying records
  uint64_t state_hash = 0;        // Engine::state_hash() after recovery
  uint64_t torn_tail_bytes = 0;   // cut (or, read-only, that would be cut) from the last segment
  uint64_t repaired_bytes = 0;    // cut by repair (saved in *.cut-* files)
  std::vector<std::string> messages;  // what happened, for the log
};

struct RecoveryOptions {
  // Cut corruption (and everything after it) instead of failing; the cut bytes are kept in
  // <segment>.cut-<offset>.
  bool repair = false;
  // False: change nothing on disk (credo-wal verify): a torn tail is reported, not cut;
  // repair is not possible.
  bool modify = true;
  // Runs a prefault thread (engine/prefault_thread.h) during the replay, so that the zeroing
  // of the engine's growing tables happens on another CPU. The server (a threaded journal) and
  // credo-wal set it; it changes where memory is zeroed, never the recovered state.
  bool prefault_thread = false;
  // Called every so often during replay with (bytes read, total bytes), e.g. for a progress line.
  std::function<void(uint64_t, uint64_t)> progress;
};

// Replaces `engine`'s state with the recovered one. Returns false and sets *error (naming the
// file and byte offset) on corruption without repair, a sequence gap, a replayed command that
// fails, or an I/O error. On false the engine's state is unspecified.
bool recover(FileSystem* fs, const std::string& dir, const RecoveryOptions& options, Engine& engine,
             RecoveryReport* report, std::string* error);

}  // namespace credo

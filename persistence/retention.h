// Retention: which snapshots and WAL segments a data directory no longer needs once a new
// snapshot is durable (docs/wal_format.md, "Snapshots"). Keeps the newest `snapshots_to_keep`
// snapshots and every segment that holds a record after the oldest of them; removes the rest.
//
// Removal is best effort, and a crash halfway cannot hurt: the kept snapshots are never
// touched, and a segment is removed only if the next segment starts at or before the oldest
// kept snapshot's seq + 1, so recovery from any kept snapshot still finds every record after it
// (recovery also skips leading segments a crash left behind, see wal::Reader::open).
#pragma once

#include <cstdint>
#include <string>

#include "persistence/file_system.h"

namespace credo {

struct RetentionResult {
  uint32_t snapshots_removed = 0;
  uint32_t segments_removed = 0;
};

// REQUIRES: snapshots_to_keep >= 1; the newest snapshot in `dir` is durable.
// Does nothing while `dir` holds fewer than snapshots_to_keep snapshots. Fsyncs the directory
// when it removed anything. A file that cannot be removed is left (and not counted).
RetentionResult remove_redundant_files(FileSystem* fs, const std::string& dir,
                                       uint32_t snapshots_to_keep);

}  // namespace credo

// Private to the journal's implementation files (journal.cc, journal_group_commit.cc,
// journal_snapshot.cc): what they share beyond journal.h. Not for other users.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "persistence/journal.h"
#include "persistence/snapshot.h"

namespace credo {

using JournalClock = std::chrono::steady_clock;

inline double ms_since(JournalClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(JournalClock::now() - t0).count();
}

// A snapshot taken on the engine thread (the image) and written by the snapshot thread (or by
// pump() in manual mode). Lives in Journal::snap_job_ from start_snapshot() until written.
struct Journal::SnapshotJob {
  uint64_t seq = 0;
  snapshot::Header header;
  std::string image;
  SnapshotInfo info;
  SnapshotCallback done;
  bool finished = false;
  bool ok = false;
  std::string error;
};

}  // namespace credo

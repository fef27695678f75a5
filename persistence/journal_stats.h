// Counters of a journal since it was opened: what the server's stats op shows under "journal".
// The one definition: net::JournalStats (net/command_log.h) is meant to become an alias of it.
#pragma once

#include <cstdint>

#include "engine/log2_histogram.h"

namespace credo {

struct JournalStats {
  uint64_t batches = 0;       // group commits (writes of a batch)
  uint64_t syncs = 0;         // fdatasyncs of the WAL
  uint64_t records = 0;       // records appended since open
  uint64_t bytes = 0;         // bytes appended since open
  uint64_t append_waits = 0;  // times append found the buffer full
  uint64_t snapshots = 0;     // snapshots written
  uint64_t resumes = 0;       // times the journal failed and was reopened (Journal::reopen)
  SyncMicrosHistogram sync_us;          // how long each fdatasync of the WAL took
  BatchRecordsHistogram batch_records;  // records in each batch written
};

}  // namespace credo

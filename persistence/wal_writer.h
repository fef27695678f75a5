// Appends framed records to the WAL's segment files (docs/wal_format.md). Used by one thread
// at a time (the journal thread). Rolls to a new segment at a batch boundary once the current
// one has reached segment_bytes, so records never straddle files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "persistence/file_system.h"

namespace credo::wal {

class Writer {
 public:
  Writer(FileSystem* fs, std::string dir, uint64_t segment_bytes);
  ~Writer();
  // Owns a thread / file descriptor: copying would share (and close) it twice.
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Creates (replacing any file of that name) segment wal-<first_seq>.log, writes its header
  // and fsyncs the directory so the new name survives a crash.
  // REQUIRES (asserted): first_seq >= 1, above the current segment's first seq (they ascend).
  Status start_segment(uint64_t first_seq);

  // Appends whole framed records whose first seq is `first_seq`.
  // REQUIRES: a segment was started (else an error); `records` is not empty and holds
  // complete records, consecutive after everything appended before (asserted, cheaply: not
  // empty, and first_seq not below the current segment's first seq).
  Status append(std::string_view records, uint64_t first_seq);

  // fdatasync of the current segment.
  Status sync();
  // Syncs and closes the current segment. On failure the segment stays "current" for
  // discard_unsynced().
  Status close();

  // After a failed append or sync: closes the current segment without syncing and cuts it
  // back to what is trusted: its length at the last successful sync, or, with
  // `keep_written`, at the last fully successful append (Durability::batch answers commands
  // once written). A segment left with less than its header is removed. The cut is durable
  // when this returns OK; on failure it may be called again.
  Status discard_unsynced(bool keep_written);

 private:
  FileSystem* fs_;
  std::string dir_;
  uint64_t segment_bytes_;
  std::unique_ptr<WritableFile> file_;
  uint64_t segment_first_seq_ = 0;  // of the current segment (0: none started)
  // The segment being written ("" when none), with the lengths discard_unsynced() cuts back
  // to. Kept after a failed close, since that segment then holds bytes nobody synced.
  std::string current_name_;
  uint64_t synced_bytes_ = 0;   // length at the last successful sync (0: never synced)
  uint64_t written_bytes_ = 0;  // length after the last fully successful append
};

}  // namespace credo::wal

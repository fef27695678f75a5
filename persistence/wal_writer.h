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

  // Creates (replacing any file of that name) segment wal-<first_seq>.log, writes its header
  // and fsyncs the directory so the new name survives a crash.
  Status start_segment(uint64_t first_seq);

  // Appends whole framed records whose first seq is `first_seq`.
  // REQUIRES: a segment was started; `records` holds complete records, consecutive after
  // everything appended before.
  Status append(std::string_view records, uint64_t first_seq);

  // fdatasync of the current segment.
  Status sync();
  // Syncs and closes the current segment.
  Status close();

  uint64_t segment_first_seq() const { return segment_first_seq_; }
  uint64_t segments_started() const { return segments_started_; }

 private:
  FileSystem* fs_;
  std::string dir_;
  uint64_t segment_bytes_;
  std::unique_ptr<WritableFile> file_;
  uint64_t segment_first_seq_ = 0;
  uint64_t segments_started_ = 0;
};

}  // namespace credo::wal

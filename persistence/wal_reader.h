// Reads the WAL segments of a data directory in order and classifies how the log ends
// (docs/wal_format.md, "Reading"): clean end, torn tail (only at the end of the last
// segment), corruption or a sequence gap (anywhere; the problem names file and offset).
//
// The reader checks framing, CRCs and sequence continuity; it does not decode payloads (the
// caller does, with decode_command, and reports a decoding failure as corruption at
// record.offset).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/file_system.h"

namespace credo::wal {

struct SegmentInfo {
  std::string name;  // "wal-....log"
  uint64_t first_seq = 0;
  uint64_t size_bytes = 0;
};

// How reading ended.
struct ReadEnd {
  enum Kind { clean, torn_tail, corruption, gap, io_error } kind = clean;
  std::string file;        // segment name ("" for clean)
  uint64_t offset = 0;     // byte offset of the bad or torn record in `file`
  uint64_t cut_bytes = 0;  // torn_tail: bytes from `offset` to the end of the file
  std::string message;     // human text, naming file and offset
};
const char* to_string(ReadEnd::Kind k);

struct Record {
  std::string_view body;  // valid until the next call to next()
  uint64_t seq = 0;
  std::size_t segment = 0;  // index into segments()
  uint64_t offset = 0;      // of the record header in its segment
  uint64_t end_offset = 0;  // just past the record
};

class Reader {
 public:
  Reader(FileSystem* fs, std::string dir);

  // Lists the segments. An error here is an I/O error (the directory cannot be read).
  // With `needed_from_seq`, leading segments that hold only records before it (the next
  // segment starts at or before it) are left out: recovery from a snapshot needs nothing
  // they hold, and retention's removals of them may have been undone by a crash one by one,
  // leaving holes between them that would read as sequence gaps.
  Status open(uint64_t needed_from_seq = 0);
  // Segments open() left out (they come before segments()).
  std::size_t segments_skipped() const { return skipped_; }
  const std::vector<SegmentInfo>& segments() const { return segments_; }

  // Returns true and the next record, or false at the end; then end() says why.
  bool next(Record* out);
  const ReadEnd& end() const { return end_; }

  // Bytes consumed so far over all segments (progress for tools).
  uint64_t bytes_read() const { return bytes_done_ + pos_; }

 private:
  bool load_segment(std::size_t i);
  bool stop(ReadEnd::Kind kind, uint64_t offset, const std::string& what);

  FileSystem* fs_;
  std::string dir_;
  std::vector<SegmentInfo> segments_;
  std::size_t skipped_ = 0;
  std::size_t current_ = 0;
  bool loaded_ = false;
  bool done_ = false;
  std::string data_;  // the current segment's bytes
  uint64_t pos_ = 0;
  uint64_t bytes_done_ = 0;
  uint64_t expected_seq_ = 0;  // 0: not known yet (first record of the log)
  ReadEnd end_;
};

}  // namespace credo::wal

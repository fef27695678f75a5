#include "persistence/wal_writer.h"

#include <cerrno>

#include "engine/assert.h"
#include "persistence/wal_format.h"

namespace credo::wal {

Writer::Writer(FileSystem* fs, std::string dir, uint64_t segment_bytes)
    : fs_(fs), dir_(std::move(dir)), segment_bytes_(segment_bytes) {}

Writer::~Writer() {
  if (file_) file_->close();
}

Status Writer::start_segment(uint64_t first_seq) {
  // Recovery sorts segments by the seq in their names and expects each to continue the last:
  // a segment that does not ascend would read back as a gap or corruption.
  CREDO_ASSERT(first_seq >= 1 && first_seq > segment_first_seq_, "WAL segments must ascend");
  if (file_) {
    // The old segment must be complete on disk before records continue in the next one:
    // recovery treats damage in any segment but the last as corruption.
    Status s = close();
    if (!s.ok()) return s;
  }
  // From here on a failure leaves a new file nothing was synced to: discard_unsynced()
  // removes it.
  current_name_ = segment_name(first_seq);
  synced_bytes_ = written_bytes_ = 0;
  std::unique_ptr<WritableFile> f;
  Status s = fs_->open_writable(join_path(dir_, current_name_), /*truncate=*/true, &f);
  if (!s.ok()) return s;
  std::string header;
  append_segment_header(header);
  s = f->append(header);
  if (s.ok()) s = fs_->sync_dir(dir_);
  if (!s.ok()) {
    f->close();
    return s;
  }
  written_bytes_ = f->size();
  file_ = std::move(f);
  segment_first_seq_ = first_seq;
  return Status::Ok();
}

Status Writer::append(std::string_view records, uint64_t first_seq) {
  if (!file_) return Status::Error("wal writer: no open segment");
  CREDO_ASSERT(!records.empty() && first_seq >= segment_first_seq_,
               "a WAL batch must be records after the current segment's first");
  if (file_->size() >= segment_bytes_ && first_seq != segment_first_seq_) {
    Status s = start_segment(first_seq);
    if (!s.ok()) return s;
  }
  Status s = file_->append(records);
  if (s.ok()) written_bytes_ = file_->size();
  return s;
}

Status Writer::sync() {
  if (!file_) return Status::Ok();
  Status s = file_->sync();
  if (s.ok()) synced_bytes_ = written_bytes_;
  return s;
}

Status Writer::close() {
  if (!file_) return Status::Ok();
  Status s = sync();
  Status c = file_->close();
  file_.reset();
  if (s.ok()) s = c;
  if (s.ok()) current_name_.clear();
  return s;
}

Status Writer::discard_unsynced(bool keep_written) {
  if (file_) {
    file_->close();  // no sync: the bytes after the cut are not trusted, and not kept
    file_.reset();
  }
  if (current_name_.empty()) return Status::Ok();
  const std::string path = join_path(dir_, current_name_);
  // A sync only ever confirms bytes that were written.
  CREDO_ASSERT(synced_bytes_ <= written_bytes_);
  const uint64_t keep = keep_written ? written_bytes_ : synced_bytes_;
  Status s;
  if (keep < kSegmentHeaderBytes) {
    s = fs_->remove(path);
    if (s.errno_value == ENOENT) s = Status::Ok();  // the file was never created
    if (s.ok()) s = fs_->sync_dir(dir_);
  } else {
    s = fs_->truncate(path, keep);
  }
  if (s.ok()) current_name_.clear();
  return s;
}

}  // namespace credo::wal

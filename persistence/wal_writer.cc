#include "persistence/wal_writer.h"

#include "persistence/wal_format.h"

namespace credo::wal {

Writer::Writer(FileSystem* fs, std::string dir, uint64_t segment_bytes)
    : fs_(fs), dir_(std::move(dir)), segment_bytes_(segment_bytes) {}

Writer::~Writer() {
  if (file_) file_->close();
}

Status Writer::start_segment(uint64_t first_seq) {
  if (file_) {
    // The old segment must be complete on disk before records continue in the next one:
    // recovery treats damage in any segment but the last as corruption.
    Status s = close();
    if (!s.ok()) return s;
  }
  std::unique_ptr<WritableFile> f;
  Status s = fs_->open_writable(join_path(dir_, segment_name(first_seq)), /*truncate=*/true, &f);
  if (!s.ok()) return s;
  std::string header;
  append_segment_header(header);
  s = f->append(header);
  if (s.ok()) s = fs_->sync_dir(dir_);
  if (!s.ok()) {
    f->close();
    return s;
  }
  file_ = std::move(f);
  segment_first_seq_ = first_seq;
  ++segments_started_;
  return Status::Ok();
}

Status Writer::append(std::string_view records, uint64_t first_seq) {
  if (!file_) return Status::Error("wal writer: no open segment");
  if (file_->size() >= segment_bytes_ && first_seq != segment_first_seq_) {
    Status s = start_segment(first_seq);
    if (!s.ok()) return s;
  }
  return file_->append(records);
}

Status Writer::sync() {
  if (!file_) return Status::Ok();
  return file_->sync();
}

Status Writer::close() {
  if (!file_) return Status::Ok();
  Status s = file_->sync();
  Status c = file_->close();
  file_.reset();
  return s.ok() ? c : s;
}

}  // namespace credo::wal

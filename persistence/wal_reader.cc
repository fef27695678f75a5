#include "persistence/wal_reader.h"

#include <algorithm>

#include "persistence/coding.h"
#include "persistence/crc32c.h"
#include "persistence/wal_format.h"

namespace credo::wal {
namespace {

bool all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

}  // namespace

const char* to_string(ReadEnd::Kind k) {
  switch (k) {
    case ReadEnd::clean:
      return "clean";
    case ReadEnd::torn_tail:
      return "torn_tail";
    case ReadEnd::corruption:
      return "corruption";
    case ReadEnd::gap:
      return "gap";
    case ReadEnd::io_error:
      return "io_error";
  }
  return "?";
}

Reader::Reader(FileSystem* fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

Status Reader::open(uint64_t needed_from_seq) {
  std::vector<std::string> names;
  Status s = fs_->list(dir_, &names);
  if (!s.ok()) return s;
  segments_.clear();
  for (const std::string& n : names) {
    SegmentInfo info;
    if (!parse_segment_name(n, &info.first_seq)) continue;
    info.name = n;
    s = fs_->file_size(join_path(dir_, n), &info.size_bytes);
    if (!s.ok()) return s;
    segments_.push_back(std::move(info));
  }
  std::sort(segments_.begin(), segments_.end(),
            [](const SegmentInfo& a, const SegmentInfo& b) { return a.first_seq < b.first_seq; });
  skipped_ = 0;
  while (skipped_ + 1 < segments_.size() && segments_[skipped_ + 1].first_seq <= needed_from_seq)
    ++skipped_;
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(skipped_));
  current_ = 0;
  loaded_ = false;
  done_ = false;
  pos_ = 0;
  bytes_done_ = 0;
  expected_seq_ = 0;
  end_ = ReadEnd{};
  return Status::Ok();
}

bool Reader::stop(ReadEnd::Kind kind, uint64_t offset, const std::string& what) {
  done_ = true;
  end_.kind = kind;
  end_.offset = offset;
  if (current_ < segments_.size()) {
    end_.file = segments_[current_].name;
    end_.cut_bytes = data_.size() > offset ? data_.size() - offset : 0;
  }
  end_.message =
      end_.file.empty() ? what : end_.file + " at byte " + std::to_string(offset) + ": " + what;
  return false;
}

bool Reader::load_segment(std::size_t i) {
  current_ = i;
  pos_ = 0;
  Status s = fs_->read_file(join_path(dir_, segments_[i].name), &data_);
  if (!s.ok()) return stop(ReadEnd::io_error, 0, s.message);
  loaded_ = true;
  const bool last = i + 1 == segments_.size();
  if (!valid_segment_header(data_)) {
    // A crash right after creating the newest segment can leave its header incomplete.
    const std::size_t n = std::min<std::size_t>(data_.size(), kSegmentMagic.size());
    const bool header_prefix = data_.size() < kSegmentHeaderBytes &&
                               std::string_view(data_).substr(0, n) == kSegmentMagic.substr(0, n);
    if (last && (header_prefix || all_zero(data_))) {
      return stop(ReadEnd::torn_tail, 0, "incomplete segment header");
    }
    return stop(ReadEnd::corruption, 0, "bad segment header");
  }
  pos_ = kSegmentHeaderBytes;
  if (expected_seq_ != 0 && segments_[i].first_seq != expected_seq_)
    return stop(ReadEnd::gap, 0,
                "segment starts at seq " + std::to_string(segments_[i].first_seq) + ", expected " +
                    std::to_string(expected_seq_));
  return true;
}

bool Reader::next(Record* out) {
  if (done_) return false;
  for (;;) {
    if (!loaded_) {
      if (current_ >= segments_.size()) {
        done_ = true;
        end_ = ReadEnd{};
        return false;
      }
      if (!load_segment(current_)) return false;
    }
    const bool last = current_ + 1 == segments_.size();
    const std::string_view data = data_;
    const uint64_t left = data.size() - pos_;
    if (left == 0) {
      bytes_done_ += data.size();
      pos_ = 0;
      loaded_ = false;
      ++current_;
      continue;
    }
    const uint64_t at = pos_;
    // Torn tails only happen at the end of the last segment; the same damage in an older
    // segment is corruption (that segment was complete and fsynced before the next began).
    auto torn_or_corrupt = [&](const char* what) {
      return stop(last ? ReadEnd::torn_tail : ReadEnd::corruption, at, what);
    };
    if (all_zero(data.substr(at))) return torn_or_corrupt("zero bytes to the end of the file");
    if (left < kRecordHeaderBytes) return torn_or_corrupt("incomplete record header");
    const char* h = data.data() + at;
    const uint32_t length = coding::load_u32(h);
    const uint32_t body_crc = coding::load_u32(h + 4);
    if (coding::load_u32(h + 8) != crc32c::value(h, 8))
      return stop(ReadEnd::corruption, at, "record header checksum mismatch");
    if (length < 8 || length > kMaxRecordBytes)
      return stop(ReadEnd::corruption, at, "record length out of range");
    if (left - kRecordHeaderBytes < length) return torn_or_corrupt("incomplete record");
    const std::string_view body = data.substr(at + kRecordHeaderBytes, length);
    const uint64_t end = at + kRecordHeaderBytes + length;
    if (crc32c::value(body) != body_crc) {
      if (end == data.size()) return torn_or_corrupt("record checksum mismatch at end of log");
      return stop(ReadEnd::corruption, at, "record checksum mismatch");
    }
    const uint64_t seq = coding::load_u64(body.data());
    if (expected_seq_ == 0 && at == kSegmentHeaderBytes && seq != segments_[current_].first_seq)
      return stop(ReadEnd::corruption, at,
                  "first record has seq " + std::to_string(seq) + ", file name says " +
                      std::to_string(segments_[current_].first_seq));
    if (expected_seq_ != 0 && seq != expected_seq_)
      return stop(ReadEnd::gap, at,
                  "seq " + std::to_string(seq) + ", expected " + std::to_string(expected_seq_));
    expected_seq_ = seq + 1;
    pos_ = end;
    out->body = body;
    out->seq = seq;
    out->segment = current_;
    out->offset = at;
    out->end_offset = end;
    return true;
  }
}

}  // namespace credo::wal

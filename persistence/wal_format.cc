#include "persistence/wal_format.h"

#include <cstdio>

#include "engine/assert.h"
#include "persistence/coding.h"
#include "persistence/command_codec.h"
#include "persistence/crc32c.h"

namespace credo::wal {
namespace {

std::string numbered(const char* prefix, uint64_t n, const char* suffix) {
  char buf[64];
  const int len = std::snprintf(buf, sizeof buf, "%s%020llu%s", prefix,
                                static_cast<unsigned long long>(n), suffix);
  // The prefixes and suffixes are short constants: a truncated name is a programming error.
  CREDO_ASSERT(len > 0 && static_cast<std::size_t>(len) < sizeof buf, "file name truncated");
  return buf;
}

bool parse_numbered(std::string_view name, std::string_view prefix, std::string_view suffix,
                    uint64_t* n) {
  if (name.size() != prefix.size() + 20 + suffix.size()) return false;
  if (name.substr(0, prefix.size()) != prefix) return false;
  if (name.substr(prefix.size() + 20) != suffix) return false;
  uint64_t v = 0;
  for (char c : name.substr(prefix.size(), 20)) {
    if (c < '0' || c > '9') return false;
    uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != v) return false;  // overflow
    v = next;
  }
  *n = v;
  return true;
}

}  // namespace

std::string segment_name(uint64_t first_seq) {
  return numbered("wal-", first_seq, ".log");
}
std::string snapshot_name(uint64_t seq) {
  return numbered("snap-", seq, ".snap");
}
std::string snapshot_tmp_name(uint64_t seq) {
  return numbered("snap-", seq, ".tmp");
}

bool parse_segment_name(std::string_view name, uint64_t* first_seq) {
  return parse_numbered(name, "wal-", ".log", first_seq);
}
bool parse_snapshot_name(std::string_view name, uint64_t* seq) {
  return parse_numbered(name, "snap-", ".snap", seq);
}

void append_segment_header(std::string& out) {
  std::size_t start = out.size();
  out.append(kSegmentMagic);
  coding::put_u32(out, kFormatVersion);
  coding::put_u32(out, crc32c::value(out.data() + start, 12));
}

bool valid_segment_header(std::string_view data) {
  if (data.size() < kSegmentHeaderBytes) return false;
  if (data.substr(0, 8) != kSegmentMagic) return false;
  if (coding::load_u32(data.data() + 8) != kFormatVersion) return false;
  return coding::load_u32(data.data() + 12) == crc32c::value(data.data(), 12);
}

bool append_record(const Command& cmd, std::string& out, std::string* error) {
  const std::size_t start = out.size();
  out.resize(start + kRecordHeaderBytes);
  if (!encode_command(cmd, out, error)) {
    out.resize(start);
    return false;
  }
  const std::size_t body_bytes = out.size() - start - kRecordHeaderBytes;
  if (body_bytes > kMaxRecordBytes) {
    if (error) *error = "record of " + std::to_string(body_bytes) + " bytes is over the limit";
    out.resize(start);
    return false;
  }
  char* h = out.data() + start;
  // What the reader checks, as corruption, of every record it reads back (wal_reader.cc): a
  // body of at least the 8-byte seq, and the seq the record is filed under. Here a failure
  // can only be the codec's bug.
  CREDO_ASSERT(body_bytes >= 8 && coding::load_u64(h + kRecordHeaderBytes) == cmd.seq,
               "encoded record does not start with its command's seq");
  coding::store_u32(h, static_cast<uint32_t>(body_bytes));
  coding::store_u32(h + 4, crc32c::value(h + kRecordHeaderBytes, body_bytes));
  coding::store_u32(h + 8, crc32c::value(h, 8));
  return true;
}

}  // namespace credo::wal

// Constants, file names and record framing of the WAL and snapshots (docs/wal_format.md is the
// specification; this header is its code).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/command.h"

namespace credo::wal {

constexpr uint32_t kFormatVersion = 1;
constexpr std::string_view kSegmentMagic = "credoWAL";
constexpr std::size_t kSegmentHeaderBytes = 16;  // magic, version, crc
constexpr std::size_t kRecordHeaderBytes = 12;   // length, body_crc, header_crc
// The largest record body. A batch of 10,000 orders is far smaller (the protocol caps a
// request line at 4 MiB of JSON, and the binary form is more compact); the bound is what
// keeps a reader from trusting a wild length.
constexpr uint32_t kMaxRecordBytes = 64u << 20;

constexpr std::string_view kSnapshotMagic = "credoSNP";
constexpr std::size_t kSnapshotHeaderBytes = 64;

// "wal-00000000000000000001.log", "snap-00000000000000000001.snap", "snap-1.tmp".
std::string segment_name(uint64_t first_seq);
std::string snapshot_name(uint64_t seq);
std::string snapshot_tmp_name(uint64_t seq);
// Parse the names above; false for anything else (including the .cut-* and .tmp files).
bool parse_segment_name(std::string_view name, uint64_t* first_seq);
bool parse_snapshot_name(std::string_view name, uint64_t* seq);

// Appends the 16-byte segment header.
void append_segment_header(std::string& out);
// True iff `data` starts with a valid segment header.
bool valid_segment_header(std::string_view data);

// Appends one framed record (header + encoded body) for `cmd` to `out`. Returns false (and
// leaves `out` unchanged) if the command cannot be encoded or is over kMaxRecordBytes.
bool append_record(const Command& cmd, std::string& out, std::string* error);

}  // namespace credo::wal

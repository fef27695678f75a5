// Snapshot files: the engine's whole state at a sequence number, with a checksummed header
// (docs/wal_format.md, "Snapshots"). Writing is crash-safe: a .tmp file is written and
// fsynced, then renamed into place and the directory fsynced, so a snapshot file either is
// complete or does not exist under its final name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/types.h"
#include "persistence/file_system.h"

namespace credo::snapshot {

struct Header {
  uint64_t seq = 0;
  TimeMs now_ms = 0;
  uint64_t state_hash = 0;
  uint64_t body_len = 0;
  uint64_t body_xxh3 = 0;
};

// Writes snap-<seq>.tmp, fsyncs, renames to snap-<seq>.snap, fsyncs the directory.
// On success *name is the final file name.
Status write(FileSystem* fs, const std::string& dir, const Header& header, std::string_view body,
             std::string* name);

// Reads and checks a snapshot file: header CRC, version, length and the body's XXH3.
// Does not load it into an engine.
Status read(FileSystem* fs, const std::string& path, Header* header, std::string* body);

// Sequence numbers of the snapshot files in `dir`, newest first.
Status list(FileSystem* fs, const std::string& dir, std::vector<uint64_t>* seqs);

uint64_t checksum(std::string_view body);  // XXH3-64, seed 0

}  // namespace credo::snapshot

#include "persistence/snapshot.h"

#include <xxhash.h>

#include <algorithm>

#include "engine/assert.h"
#include "persistence/coding.h"
#include "persistence/crc32c.h"
#include "persistence/wal_format.h"

namespace credo::snapshot {

uint64_t checksum(std::string_view body) {
  return XXH3_64bits(body.data(), body.size());
}

Status write(FileSystem* fs, const std::string& dir, const Header& header, std::string_view body,
             std::string* name) {
  // body_len and body_xxh3 are computed here from `body`; a caller that fills body_len must
  // mean this body (read() refuses a file whose header disagrees with its body).
  CREDO_ASSERT(header.body_len == 0 || header.body_len == body.size(),
               "snapshot header's body_len is not the body's size");
  std::string head;
  head.reserve(wal::kSnapshotHeaderBytes);
  head.append(wal::kSnapshotMagic);
  coding::put_u32(head, wal::kFormatVersion);
  coding::put_u32(head, wal::kSnapshotHeaderBytes);
  coding::put_u64(head, header.seq);
  coding::put_u64(head, static_cast<uint64_t>(header.now_ms));
  coding::put_u64(head, header.state_hash);
  coding::put_u64(head, body.size());
  coding::put_u64(head, checksum(body));
  coding::put_u32(head, 0);
  coding::put_u32(head, crc32c::value(head.data(), head.size()));
  // The layout read() expects (docs/wal_format.md): a wrong size is a programming error.
  CREDO_ASSERT(head.size() == wal::kSnapshotHeaderBytes, "snapshot header layout");

  const std::string tmp = join_path(dir, wal::snapshot_tmp_name(header.seq));
  const std::string final_name = wal::snapshot_name(header.seq);
  std::unique_ptr<WritableFile> f;
  Status s = fs->open_writable(tmp, /*truncate=*/true, &f);
  if (s.ok()) s = f->append(head);
  if (s.ok()) s = f->append(body);
  if (s.ok()) s = f->sync();
  if (f) {
    Status c = f->close();
    if (s.ok()) s = c;
  }
  if (s.ok()) s = fs->rename(tmp, join_path(dir, final_name));
  if (s.ok()) s = fs->sync_dir(dir);
  if (!s.ok()) {
    fs->remove(tmp);  // best effort: recovery deletes stray .tmp files anyway
    return s;
  }
  if (name) *name = final_name;
  return Status::Ok();
}

Status read(FileSystem* fs, const std::string& path, Header* header, std::string* body) {
  std::string data;
  Status s = fs->read_file(path, &data);
  if (!s.ok()) return s;
  if (data.size() < wal::kSnapshotHeaderBytes)
    return Status::Error(path + ": shorter than a snapshot header");
  const char* h = data.data();
  if (std::string_view(h, 8) != wal::kSnapshotMagic)
    return Status::Error(path + ": not a snapshot (bad magic)");
  if (coding::load_u32(h + 60) != crc32c::value(h, 60))
    return Status::Error(path + ": snapshot header checksum mismatch");
  if (coding::load_u32(h + 8) != wal::kFormatVersion)
    return Status::Error(path + ": unsupported snapshot version");
  if (coding::load_u32(h + 12) != wal::kSnapshotHeaderBytes)
    return Status::Error(path + ": bad snapshot header length");
  header->seq = coding::load_u64(h + 16);
  header->now_ms = static_cast<TimeMs>(coding::load_u64(h + 24));
  header->state_hash = coding::load_u64(h + 32);
  header->body_len = coding::load_u64(h + 40);
  header->body_xxh3 = coding::load_u64(h + 48);
  if (header->body_len != data.size() - wal::kSnapshotHeaderBytes)
    return Status::Error(path + ": snapshot body is " +
                         std::to_string(data.size() - wal::kSnapshotHeaderBytes) +
                         " bytes, header says " + std::to_string(header->body_len));
  std::string_view b = std::string_view(data).substr(wal::kSnapshotHeaderBytes);
  if (checksum(b) != header->body_xxh3)
    return Status::Error(path + ": snapshot body checksum mismatch");
  // Move the body out without a second copy of a possibly large image.
  data.erase(0, wal::kSnapshotHeaderBytes);
  *body = std::move(data);
  return Status::Ok();
}

Status list(FileSystem* fs, const std::string& dir, std::vector<uint64_t>* seqs) {
  std::vector<std::string> names;
  Status s = fs->list(dir, &names);
  if (!s.ok()) return s;
  seqs->clear();
  for (const std::string& n : names) {
    uint64_t seq;
    if (wal::parse_snapshot_name(n, &seq)) seqs->push_back(seq);
  }
  std::sort(seqs->rbegin(), seqs->rend());
  return Status::Ok();
}

}  // namespace credo::snapshot

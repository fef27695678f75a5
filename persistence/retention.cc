#include "persistence/retention.h"

#include <algorithm>
#include <vector>

#include "engine/assert.h"
#include "persistence/snapshot.h"
#include "persistence/wal_format.h"

namespace credo {

RetentionResult remove_redundant_files(FileSystem* fs, const std::string& dir,
                                       uint32_t snapshots_to_keep) {
  CREDO_ASSERT(snapshots_to_keep >= 1, "retention would remove the snapshot just written");
  RetentionResult result;
  std::vector<uint64_t> seqs;  // newest first
  if (!snapshot::list(fs, dir, &seqs).ok() || seqs.size() < snapshots_to_keep) return result;
  for (std::size_t i = snapshots_to_keep; i < seqs.size(); ++i)
    if (fs->remove(join_path(dir, wal::snapshot_name(seqs[i]))).ok()) ++result.snapshots_removed;
  const uint64_t oldest_kept = seqs[snapshots_to_keep - 1];
  std::vector<std::string> names;
  if (fs->list(dir, &names).ok()) {
    std::vector<uint64_t> firsts;
    for (const std::string& n : names) {
      uint64_t f;
      if (wal::parse_segment_name(n, &f)) firsts.push_back(f);
    }
    std::sort(firsts.begin(), firsts.end());
    // A segment is redundant when the next one starts at or before the first record the
    // oldest kept snapshot needs (oldest_kept + 1). The last segment is never removed.
    for (std::size_t i = 0; i + 1 < firsts.size(); ++i) {
      if (firsts[i + 1] > oldest_kept + 1) break;
      if (fs->remove(join_path(dir, wal::segment_name(firsts[i]))).ok()) ++result.segments_removed;
    }
  }
  if (result.snapshots_removed + result.segments_removed > 0) fs->sync_dir(dir);
  return result;
}

}  // namespace credo

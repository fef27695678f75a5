// Snapshots in JetStream (docs/replication.md "Snapshots and retention"): the primary uploads
// its newest local snapshot (one the stream has acknowledged entirely) to a stream of its own,
// `<stream>_snap`, so that a brand-new replica starts from it plus the journal stream's tail
// instead of replaying the whole journal. libnats 3.4 has no object-store API, so the snapshot
// is a plain stream: the body cut into chunk messages (subject `<stream>.snap.data`), then one
// manifest message (subject `<stream>.snap.meta`) whose headers carry the snapshot header
// (persistence/snapshot.h: seq, time, state hash, body length and XXH3) and the stream sequence
// of the first chunk. After a manifest is stored, everything before its first chunk (the older
// snapshot) is purged. A reader takes the last manifest, reads its chunks and checks the body's
// XXH3 and length against it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/engine.h"
#include "persistence/snapshot.h"
#include "replication/replicated_log.h"

namespace credo::replication {

class SnapshotStore {
 public:
  // `js` is the caller's JetStream context (kept, not owned).
  SnapshotStore(__jsCtx* js, const std::string& stream, int replicas);

  // Creates the snapshot stream if missing.
  bool ensure(std::string* error);
  // Stores the "no snapshot yet" manifest if there is none.
  bool ensure_manifest(std::string* error);
  // The header of the newest stored snapshot; header->seq == 0 when there is none.
  bool latest(snapshot::Header* header, std::string* error);
  // The newest stored snapshot, checked (header->seq == 0 when there is none).
  bool fetch(snapshot::Header* header, std::string* body, std::string* error);
  // Stores `body` as the newest snapshot and purges the older one. Refused (false) when a
  // snapshot at `header.seq` or later is stored already.
  bool upload(const snapshot::Header& header, std::string_view body, std::string* error);

  const std::string& name() const { return name_; }

 private:
  bool last_meta(__natsMsg** msg, std::string* error);
  __jsCtx* js_;
  std::string name_;  // the stream: <stream>_snap
  std::string data_subject_, meta_subject_;
  int replicas_;
};

// A replica that starts with nothing (no --data, or a data directory without a snapshot or a
// journal segment) bootstraps from the stored snapshot, if there is one: with `data_dir` it
// writes the snapshot into it (recovery then starts from it), without it loads it into
// `engine`. *loaded_seq is the snapshot's seq (0: nothing was done). False with *error only when
// a stored snapshot exists but cannot be read or installed.
bool bootstrap_from_snapshot(const ReplicationOptions& options, const std::string& data_dir,
                             Engine* engine, uint64_t* loaded_seq, std::string* error);

}  // namespace credo::replication

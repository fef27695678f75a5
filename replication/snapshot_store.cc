#include "replication/snapshot_store.h"

#include <nats/nats.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "persistence/file_system.h"
#include "persistence/wal_format.h"
#include "replication/nats_util.h"

namespace credo::replication {

using namespace detail;  // NOLINT(google-build-using-namespace): this library's own helpers

namespace {

constexpr const char* kSnapSeq = "Credo-Snap-Seq";
constexpr const char* kSnapNow = "Credo-Snap-Now";
constexpr const char* kSnapHash = "Credo-Snap-Hash";
constexpr const char* kSnapBytes = "Credo-Snap-Bytes";
constexpr const char* kSnapXxh3 = "Credo-Snap-Xxh3";
constexpr const char* kSnapParts = "Credo-Snap-Parts";
constexpr const char* kSnapFrom = "Credo-Snap-From";
constexpr const char* kSnapPart = "Credo-Snap-Part";
// Chunks stay well under JetStream's default 1 MiB message limit.
constexpr std::size_t kChunkBytes = std::size_t{512} * 1024;

bool header_text(natsMsg* m, const char* key, const std::string& value) {
  return natsMsgHeader_Set(m, key, value.c_str()) == NATS_OK;
}

}  // namespace

SnapshotStore::SnapshotStore(jsCtx* js, const std::string& stream, int replicas)
    : js_(js),
      name_(stream + "_snap"),
      data_subject_(stream + ".snap.data"),
      meta_subject_(stream + ".snap.meta"),
      replicas_(replicas) {}

bool SnapshotStore::ensure(std::string* error) {
  jsStreamInfo* si = nullptr;
  jsErrCode je = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js_, name_.c_str(), nullptr, &je);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(si);
    return ensure_manifest(error);
  }
  if (s != NATS_NOT_FOUND && je != JSStreamNotFoundErr) {
    *error = "stream " + name_ + ": " + nats_error(s);
    return false;
  }
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = name_.c_str();
  const char* subjects[2] = {data_subject_.c_str(), meta_subject_.c_str()};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 2;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = replicas_;
  s = js_AddStream(&si, js_, &cfg, nullptr, &je);
  if (s != NATS_OK) {
    // Another node may have created it meanwhile.
    if (js_GetStreamInfo(&si, js_, name_.c_str(), nullptr, &je) == NATS_OK) {
      jsStreamInfo_Destroy(si);
      return ensure_manifest(error);
    }
    *error = "cannot create stream " + name_ + ": " + nats_error(s);
    return false;
  }
  jsStreamInfo_Destroy(si);
  return ensure_manifest(error);
}

bool SnapshotStore::ensure_manifest(std::string* error) {
  natsMsg* prev = nullptr;
  if (!last_meta(&prev, error)) return false;
  if (prev != nullptr) {
    natsMsg_Destroy(prev);
    return true;
  }
  // A manifest of "no snapshot" (seq 0) first, so that every upload's manifest has a previous
  // one to expect (the server reads an expected last subject sequence of 0 as no check). Its
  // message id makes two nodes' at once one message.
  natsMsg* m = nullptr;
  natsStatus s = natsMsg_Create(&m, meta_subject_.c_str(), nullptr, nullptr, 0);
  if (s == NATS_OK && !(header_text(m, kSnapSeq, "0") &&
                        header_text(m, "Nats-Msg-Id", name_ + "-no-snapshot-yet")))
    s = NATS_ERR;
  jsPubAck* pa = nullptr;
  jsErrCode je = static_cast<jsErrCode>(0);
  if (s == NATS_OK) s = js_PublishMsg(&pa, js_, m, nullptr, &je);
  natsMsg_Destroy(m);
  if (s != NATS_OK) {
    *error = "stream " + name_ + ": first manifest: " + nats_error(s);
    return false;
  }
  jsPubAck_Destroy(pa);
  return true;
}

bool SnapshotStore::last_meta(natsMsg** msg, std::string* error) {
  *msg = nullptr;
  jsErrCode je = static_cast<jsErrCode>(0);
  natsStatus s = js_GetLastMsg(msg, js_, name_.c_str(), meta_subject_.c_str(), nullptr, &je);
  if (s == NATS_OK) return true;
  *msg = nullptr;
  // No snapshot stored yet (or no snapshot stream): not an error.
  if (s == NATS_NOT_FOUND || je == JSNoMessageFoundErr || je == JSStreamNotFoundErr) return true;
  *error = "stream " + name_ + ": last snapshot manifest: " + nats_error(s);
  return false;
}

bool SnapshotStore::latest(snapshot::Header* header, std::string* error) {
  *header = snapshot::Header{};
  natsMsg* m = nullptr;
  if (!last_meta(&m, error)) return false;
  if (m == nullptr) return true;
  bool ok = header_u64(m, kSnapSeq, &header->seq);
  natsMsg_Destroy(m);
  if (!ok) *error = "stream " + name_ + ": a snapshot manifest without " + kSnapSeq;
  return ok;
}

bool SnapshotStore::fetch(snapshot::Header* header, std::string* body, std::string* error) {
  *header = snapshot::Header{};
  body->clear();
  natsMsg* meta = nullptr;
  if (!last_meta(&meta, error)) return false;
  if (meta == nullptr) return true;
  uint64_t now = 0, parts = 0, from = 0, meta_seq = 0;
  snapshot::Header h;
  if (header_u64(meta, kSnapSeq, &h.seq) && h.seq == 0) {  // the "no snapshot yet" manifest
    natsMsg_Destroy(meta);
    return true;
  }
  bool ok = header_u64(meta, kSnapSeq, &h.seq) && header_u64(meta, kSnapNow, &now) &&
            header_u64(meta, kSnapHash, &h.state_hash) &&
            header_u64(meta, kSnapBytes, &h.body_len) &&
            header_u64(meta, kSnapXxh3, &h.body_xxh3) && header_u64(meta, kSnapParts, &parts) &&
            header_u64(meta, kSnapFrom, &from);
  meta_seq = natsMsg_GetSequence(meta);
  natsMsg_Destroy(meta);
  if (!ok) {
    *error = "stream " + name_ + ": a snapshot manifest with missing headers";
    return false;
  }
  h.now_ms = static_cast<TimeMs>(now);
  body->reserve(h.body_len);
  // The chunks lie between `from` and the manifest; skip anything else (another uploader's).
  uint64_t part = 0;
  for (uint64_t seq = from; seq < meta_seq && part < parts; seq++) {
    natsMsg* m = nullptr;
    jsErrCode je = static_cast<jsErrCode>(0);
    natsStatus s = js_GetMsg(&m, js_, name_.c_str(), seq, nullptr, &je);
    if (s != NATS_OK) {
      *error = "stream " + name_ + " message " + std::to_string(seq) + ": " + nats_error(s);
      return false;
    }
    uint64_t snap = 0, index = 0;
    if (header_u64(m, kSnapSeq, &snap) && header_u64(m, kSnapPart, &index) && snap == h.seq &&
        index == part) {
      body->append(natsMsg_GetData(m), static_cast<std::size_t>(natsMsg_GetDataLength(m)));
      part++;
    }
    natsMsg_Destroy(m);
  }
  if (part != parts || body->size() != h.body_len || snapshot::checksum(*body) != h.body_xxh3) {
    *error = "stream " + name_ + ": snapshot " + std::to_string(h.seq) +
             " is incomplete or fails its checksum";
    body->clear();
    return false;
  }
  *header = h;
  return true;
}

bool SnapshotStore::upload(const snapshot::Header& header, std::string_view body,
                           std::string* error) {
  natsMsg* prev = nullptr;
  if (!last_meta(&prev, error)) return false;
  uint64_t prev_seq = 0, prev_meta = 0;
  if (prev != nullptr) {
    header_u64(prev, kSnapSeq, &prev_seq);
    prev_meta = natsMsg_GetSequence(prev);
    natsMsg_Destroy(prev);
  }
  if (prev_meta == 0) {
    if (ensure_manifest(error)) *error = "stream " + name_ + " had no manifest yet: retry";
    return false;
  }
  if (prev_seq >= header.seq) {
    *error = "snapshot " + std::to_string(prev_seq) + " is stored already";
    return false;
  }
  const std::string seq_text = std::to_string(header.seq);
  const uint64_t parts = std::max<uint64_t>(1, (body.size() + kChunkBytes - 1) / kChunkBytes);
  uint64_t from = 0;
  for (uint64_t i = 0; i < parts; i++) {
    const std::size_t off = static_cast<std::size_t>(i) * kChunkBytes;
    const std::string_view chunk = body.substr(std::min(off, body.size()), kChunkBytes);
    natsMsg* m = nullptr;
    natsStatus s = natsMsg_Create(&m, data_subject_.c_str(), nullptr, chunk.data(),
                                  static_cast<int>(chunk.size()));
    if (s == NATS_OK && !(header_text(m, kSnapSeq, seq_text) &&
                          header_text(m, kSnapPart, std::to_string(i))))
      s = NATS_ERR;
    jsPubAck* pa = nullptr;
    jsErrCode je = static_cast<jsErrCode>(0);
    if (s == NATS_OK) s = js_PublishMsg(&pa, js_, m, nullptr, &je);
    natsMsg_Destroy(m);
    if (s != NATS_OK) {
      *error = "stream " + name_ + ": snapshot chunk: " + nats_error(s);
      return false;
    }
    if (i == 0) from = pa->Sequence;
    jsPubAck_Destroy(pa);
  }
  natsMsg* m = nullptr;
  natsStatus s = natsMsg_Create(&m, meta_subject_.c_str(), nullptr, nullptr, 0);
  if (s == NATS_OK &&
      !(header_text(m, kSnapSeq, seq_text) &&
        header_text(m, kSnapNow, std::to_string(static_cast<uint64_t>(header.now_ms))) &&
        header_text(m, kSnapHash, std::to_string(header.state_hash)) &&
        header_text(m, kSnapBytes, std::to_string(body.size())) &&
        header_text(m, kSnapXxh3, std::to_string(snapshot::checksum(body))) &&
        header_text(m, kSnapParts, std::to_string(parts)) &&
        header_text(m, kSnapFrom, std::to_string(from))))
    s = NATS_ERR;
  jsPubOptions po;
  jsPubOptions_Init(&po);
  // Two uploaders at once (a deposed primary and the new one): only the one that saw the last
  // manifest wins (ensure_manifest() makes sure there is one).
  po.ExpectLastSubjectSeq = prev_meta;
  jsPubAck* pa = nullptr;
  jsErrCode je = static_cast<jsErrCode>(0);
  if (s == NATS_OK) s = js_PublishMsg(&pa, js_, m, &po, &je);
  natsMsg_Destroy(m);
  if (s != NATS_OK) {
    *error = "stream " + name_ + ": snapshot manifest: " + nats_error(s);
    return false;
  }
  jsPubAck_Destroy(pa);
  // The older snapshot (everything before this one's first chunk) is no longer needed.
  jsOptions o;
  jsOptions_Init(&o);
  o.Stream.Purge.Sequence = from;
  je = static_cast<jsErrCode>(0);
  s = js_PurgeStream(js_, name_.c_str(), &o, &je);
  if (s != NATS_OK) {
    *error = "stream " + name_ + ": purge below " + std::to_string(from) + ": " + nats_error(s);
    return false;
  }
  return true;
}

namespace {

// Whether `dir` holds neither a snapshot nor a journal segment (or does not exist).
bool fresh_data_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (!posix_file_system()->list(dir, &names).ok()) return true;
  uint64_t seq = 0;
  return std::none_of(names.begin(), names.end(), [&](const std::string& n) {
    return wal::parse_snapshot_name(n, &seq) || wal::parse_segment_name(n, &seq);
  });
}

}  // namespace

bool bootstrap_from_snapshot(const ReplicationOptions& options, const std::string& data_dir,
                             Engine* engine, uint64_t* loaded_seq, std::string* error) {
  *loaded_seq = 0;
  if (!data_dir.empty() && !fresh_data_dir(data_dir)) return true;
  if (data_dir.empty() && engine->counts().last_seq != 0) return true;
  natsOptions* opts = nullptr;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  std::vector<std::string> urls = split(options.servers, ',');
  std::vector<const char*> ptrs;
  ptrs.reserve(urls.size());
  for (const std::string& u : urls) ptrs.push_back(u.c_str());
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetServers(opts, ptrs.data(), static_cast<int>(ptrs.size()));
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 2'000);
  if (s == NATS_OK) s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  if (s == NATS_OK) s = natsConnection_JetStream(&js, nc, nullptr);
  snapshot::Header h;
  std::string body;
  bool ok = false;
  if (s != NATS_OK) {
    *error = "cannot connect to NATS at " + options.servers + ": " + nats_error(s);
  } else {
    SnapshotStore store(js, options.stream, options.replicas);
    // The snapshot stream may be electing a leader (a NATS node just restarted): retry a while;
    // a manifest purged under us (a newer snapshot arrived) is read again.
    const int64_t until = steady_ns() + kStartRetryMs * 1'000'000;
    // Pins the journal stream first (a report of seq 0 under this node's key, replaced by
    // the real one once it runs): the primary must not trim the tail this node is about to
    // read past the snapshot it downloads.
    kvStore* kv = nullptr;
    const std::string bucket = options.stream + "_replicas";
    if (!options.node_key.empty() && js_KeyValue(&kv, js, bucket.c_str()) == NATS_OK) {
      uint64_t rev = 0;
      kvStore_PutString(&rev, kv, options.node_key.c_str(),
                        data_dir.empty() ? "0 memory" : "0 data");
      kvStore_Destroy(kv);
    }
    while (!(ok = store.fetch(&h, &body, error)) && steady_ns() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (js != nullptr) jsCtx_Destroy(js);
  if (nc != nullptr) natsConnection_Destroy(nc);
  if (!ok) return false;
  if (h.seq == 0) return true;  // nothing stored: replay the stream from its start
  if (data_dir.empty()) {
    std::string load_error;
    if (!engine->load(body, &load_error)) {
      *error = "snapshot " + std::to_string(h.seq) + " from NATS does not load: " + load_error;
      return false;
    }
    if (engine->state_hash() != h.state_hash) {
      *error = "snapshot " + std::to_string(h.seq) + " from NATS: state hash mismatch";
      return false;
    }
  } else {
    FileSystem* fs = posix_file_system();
    Status st = fs->create_dir(data_dir);
    std::string name;
    if (st.ok()) st = snapshot::write(fs, data_dir, h, body, &name);
    if (!st.ok()) {
      *error = "cannot write the snapshot from NATS into " + data_dir + ": " + st.message;
      return false;
    }
  }
  *loaded_seq = h.seq;
  return true;
}

}  // namespace credo::replication

// Snapshots and retention (docs/replication.md "Snapshots and retention"): every node reports,
// in the key-value bucket <stream>_replicas (one key per node, no TTL), the newest command seq
// it can restart from without the stream: its newest local snapshot with --data (a restart from
// its own directory recovers that far and needs only what follows), its applied seq without
// (counted only while the node lives: the report is refreshed and ignored once stale). The
// primary, with --data, uploads a local snapshot newer than the stored one (SnapshotStore) once
// the stream holds every command in it. The primary purges the journal stream's messages whose
// commands all lie at or below both the lowest report and the stored snapshot, so that every
// replica that reported can restart from its own directory and a new one can bootstrap.
#include <nats/nats.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include "persistence/file_system.h"
#include "persistence/wal_format.h"
#include "replication/nats_util.h"
#include "replication/replicated_log.h"
#include "replication/snapshot_store.h"

namespace credo::replication {

using namespace detail;  // NOLINT(google-build-using-namespace): this library's own helpers

namespace {

constexpr const char* kDurableKind = "data";
constexpr const char* kMemoryKind = "memory";
// A node without --data refreshes its report this often; a report older than kStaleMs (by the
// NATS server's timestamp) is a node that is gone.
constexpr int64_t kRefreshMs = 5'000;
constexpr int64_t kStaleMs = 30'000;

// Keys may hold [-/_=.a-zA-Z0-9], not start or end with a dot.
std::string key_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '=';
    out.push_back(ok ? c : '_');
  }
  return out;
}

uint64_t newest_local_snapshot(const std::string& dir) {
  std::vector<uint64_t> seqs;
  if (!snapshot::list(posix_file_system(), dir, &seqs).ok() || seqs.empty()) return 0;
  return seqs.front();
}

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string replica_key(const std::string& data_dir) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  if (data_dir.empty()) {
    std::random_device rd;
    return key_text(std::string(host) + "-mem-" + std::to_string(rd()) + std::to_string(rd()));
  }
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(data_dir, ec);
  std::string path = ec ? data_dir : p.lexically_normal().string();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return key_text(std::string(host) + "-" + path);
}

bool ReplicatedLog::ensure_retention(std::string* error) {
  if (!snapshots_) snapshots_ = std::make_unique<SnapshotStore>(js_, options_.stream,
                                                                options_.replicas);
  if (!snapshots_->ensure(error)) return false;
  if (replicas_kv_ != nullptr) return true;
  const std::string bucket = options_.stream + "_replicas";
  natsStatus s = js_KeyValue(&replicas_kv_, js_, bucket.c_str());
  if (s == NATS_OK) return true;
  kvConfig kc;
  kvConfig_Init(&kc);
  kc.Bucket = bucket.c_str();
  kc.History = 1;
  kc.Replicas = options_.replicas;
  kc.StorageType = js_FileStorage;
  s = js_CreateKeyValue(&replicas_kv_, js_, &kc);
  if (s != NATS_OK && js_KeyValue(&replicas_kv_, js_, bucket.c_str()) != NATS_OK) {
    replicas_kv_ = nullptr;
    *error = "cannot create the retention bucket " + bucket + ": " + nats_error(s);
    return false;
  }
  return true;
}

void ReplicatedLog::housekeeping_loop() {
  const auto period = std::chrono::milliseconds(std::clamp(options_.lease_ms / 2, 100, 1'000));
  while (!stopping_.load()) {
    report_retention();
    upload_snapshot();
    if (role_.load() == Role::primary) trim_stream();
    std::unique_lock lock(mu_);
    stop_cv_.wait_for(lock, period, [this] { return stopping_.load(); });
  }
}

void ReplicatedLog::report_retention() {
  const bool durable = !options_.data_dir.empty();
  const uint64_t seq = durable ? newest_local_snapshot(options_.data_dir) : applied_seq_.load();
  const int64_t now = steady_ns();
  if (seq == reported_ && (durable || now - reported_at_ns_ < kRefreshMs * 1'000'000)) return;
  const std::string value = std::to_string(seq) + " " + (durable ? kDurableKind : kMemoryKind);
  uint64_t rev = 0;
  if (kvStore_PutString(&rev, replicas_kv_, options_.node_key.c_str(), value.c_str()) == NATS_OK) {
    reported_ = seq;
    reported_at_ns_ = now;
  }
}

void ReplicatedLog::upload_snapshot() {
  // The primary only: two uploaders would race for the manifest and waste the loser's chunks.
  if (options_.data_dir.empty() || role_.load() != Role::primary) return;
  const uint64_t seq = newest_local_snapshot(options_.data_dir);
  // Only a snapshot the stream holds entirely: a fenced primary's unacknowledged commands must
  // never reach a new replica.
  if (seq == 0 || seq <= stored_snapshot_seq_.load() || seq > replicated_seq_.load()) return;
  std::string error;
  snapshot::Header stored;
  if (!snapshots_->latest(&stored, &error)) return;
  stored_snapshot_seq_.store(stored.seq);
  if (seq <= stored.seq) return;
  snapshot::Header h;
  std::string body;
  Status st = snapshot::read(posix_file_system(),
                             join_path(options_.data_dir, wal::snapshot_name(seq)), &h, &body);
  if (!st.ok()) return;  // removed by local retention meanwhile: the next round takes a newer one
  const auto t0 = std::chrono::steady_clock::now();
  if (!snapshots_->upload(h, body, &error)) {
    if (error != housekeeping_error_) log("snapshot " + std::to_string(seq) + " not uploaded: " +
                                          error);
    housekeeping_error_ = error;
    return;
  }
  stored_snapshot_seq_.store(seq);
  log("uploaded snapshot " + std::to_string(seq) + " (" + std::to_string(body.size()) +
      " bytes) to stream " + snapshots_->name() + " in " +
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - t0)
                         .count()) +
      " ms");
}

bool ReplicatedLog::retention_floor(uint64_t* floor) {
  std::string error;
  snapshot::Header stored;
  if (!snapshots_->latest(&stored, &error) || stored.seq == 0) return false;
  stored_snapshot_seq_.store(stored.seq);
  uint64_t lowest = stored.seq;
  kvKeysList keys{};
  if (kvStore_Keys(&keys, replicas_kv_, nullptr) != NATS_OK) return false;
  const int64_t now = wall_ns();
  bool ok = true;
  for (int i = 0; i < keys.Count && ok; i++) {
    kvEntry* e = nullptr;
    natsStatus s = kvStore_Get(&e, replicas_kv_, keys.Keys[i]);
    if (s == NATS_NOT_FOUND) continue;  // deleted meanwhile
    if (s != NATS_OK) {
      ok = false;
      break;
    }
    std::string value(static_cast<const char*>(kvEntry_Value(e)),
                      static_cast<std::size_t>(kvEntry_ValueLen(e)));
    const int64_t created = kvEntry_Created(e);
    kvEntry_Destroy(e);
    char* end = nullptr;
    const uint64_t seq = std::strtoull(value.c_str(), &end, 10);
    if (end == value.c_str()) continue;  // not a report
    const bool memory = value.find(kMemoryKind) != std::string::npos;
    if (memory && now - created > kStaleMs * 1'000'000) continue;  // a node that is gone
    lowest = std::min(lowest, seq);
  }
  kvKeysList_Destroy(&keys);
  *floor = lowest;
  return ok;
}

void ReplicatedLog::trim_stream() {
  uint64_t floor = 0;
  if (!retention_floor(&floor) || floor <= trimmed_through_) return;
  std::string error;
  uint64_t first = 0, last = 0;
  if (!stream_bounds(&first, &last, &error) || last == 0) return;
  // The first message holding a command after `floor`; the last message always stays (an
  // empty stream would read as a new one).
  uint64_t lo = first, hi = last;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    uint64_t f = 0, l = 0;
    if (!message_range(mid, &f, &l, &error)) return;
    if (l > floor)
      hi = mid;
    else
      lo = mid + 1;
  }
  if (role_.load() != Role::primary) return;
  if (lo > first) {
    jsOptions o;
    jsOptions_Init(&o);
    o.Stream.Purge.Sequence = lo;
    jsErrCode je = static_cast<jsErrCode>(0);
    natsStatus s = js_PurgeStream(js_, options_.stream.c_str(), &o, &je);
    if (s != NATS_OK) {
      error = "purge of stream " + options_.stream + ": " + nats_error(s);
      if (error != housekeeping_error_) log(error);
      housekeeping_error_ = error;
      return;
    }
    log("trimmed stream " + options_.stream + " below message " + std::to_string(lo) +
        " (every replica has command seq " + std::to_string(floor) + " without it)");
  }
  trimmed_through_ = floor;
}

bool ReplicatedLog::release_lease() {
  if (role_.load() != Role::primary || kv_ == nullptr) return false;
  if (replicated_seq_.load() < applied_seq_.load()) return false;
  kvEntry* e = nullptr;
  if (kvStore_Get(&e, kv_, kLeaseKey) != NATS_OK) return false;
  const uint64_t rev = kvEntry_Revision(e);
  kvEntry_Destroy(e);
  if (rev != lease_rev_) return false;  // not ours any more
  return kvStore_Delete(kv_, kLeaseKey) == NATS_OK;
}

}  // namespace credo::replication

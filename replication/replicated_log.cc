#include "replication/replicated_log.h"

#include <nats/nats.h>
#include <pthread.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "persistence/wal_format.h"
#include "replication/nats_util.h"
#include "replication/record_batch.h"
#include "replication/snapshot_store.h"

namespace credo::replication {

using namespace detail;  // NOLINT(google-build-using-namespace): this library's own helpers

ReplicatedLog::ReplicatedLog(std::unique_ptr<net::CommandLog> local) : local_(std::move(local)) {
  local_->set_on_durable([this](uint64_t) { notify_durable(); });
}

ReplicatedLog::~ReplicatedLog() {
  close(nullptr);
}

void ReplicatedLog::log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

std::string ReplicatedLog::advertise() const {
  std::lock_guard lock(mu_);
  return advertise_;
}

void ReplicatedLog::set_advertise(const std::string& address) {
  std::lock_guard lock(mu_);
  advertise_ = address;
  if (role_.load() == Role::primary) primary_ = address;
}

bool ReplicatedLog::connect(std::string* error) {
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  std::vector<std::string> urls = split(options_.servers, ',');
  std::vector<const char*> ptrs;
  ptrs.reserve(urls.size());
  for (const std::string& u : urls) ptrs.push_back(u.c_str());
  if (ptrs.empty()) {
    natsOptions_Destroy(opts);
    *error = "--replicate needs at least one nats://host:port";
    return false;
  }
  if (s == NATS_OK) s = natsOptions_SetServers(opts, ptrs.data(), static_cast<int>(ptrs.size()));
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 100);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 2'000);
  if (s == NATS_OK) s = natsConnection_Connect(&nc_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    *error = "cannot connect to NATS at " + options_.servers + ": " + nats_error(s);
    return false;
  }
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = kPublishWaitMs;
  jo.PublishAsync.MaxPending = options_.max_inflight;
  jo.PublishAsync.AckHandler = &ReplicatedLog::ack_handler;
  jo.PublishAsync.AckHandlerClosure = this;
  jo.PublishAsync.StallWait = kPublishWaitMs;
  s = natsConnection_JetStream(&js_, nc_, &jo);
  if (s != NATS_OK) {
    *error = "JetStream context: " + nats_error(s);
    return false;
  }
  return true;
}

bool ReplicatedLog::ensure_stream(std::string* error) {
  jsStreamInfo* si = nullptr;
  jsErrCode je = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js_, options_.stream.c_str(), nullptr, &je);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(si);
    return true;
  }
  if (s != NATS_NOT_FOUND && je != JSStreamNotFoundErr) {
    *error = "stream " + options_.stream + ": " + nats_error(s);
    return false;
  }
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = options_.stream.c_str();
  const char* subjects[1] = {subject_.c_str()};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = options_.replicas;
  s = js_AddStream(&si, js_, &cfg, nullptr, &je);
  if (s != NATS_OK) {
    *error = "cannot create stream " + options_.stream + " (replicas " +
             std::to_string(options_.replicas) + "): " + nats_error(s);
    return false;
  }
  jsStreamInfo_Destroy(si);
  log("created stream " + options_.stream + " with " + std::to_string(options_.replicas) +
      " replicas");
  return true;
}

bool ReplicatedLog::ensure_bucket(std::string* error) {
  if (kv_ != nullptr) return true;
  natsStatus s = js_KeyValue(&kv_, js_, bucket_.c_str());
  if (s == NATS_OK) return true;
  kvConfig kc;
  kvConfig_Init(&kc);
  kc.Bucket = bucket_.c_str();
  kc.History = 1;
  // Nanoseconds (libnats 3.4): an entry not renewed by then is gone.
  kc.TTL = int64_t{options_.lease_ms} * 1'000'000;
  kc.Replicas = options_.replicas;
  kc.StorageType = js_FileStorage;
  s = js_CreateKeyValue(&kv_, js_, &kc);
  if (s != NATS_OK) {
    *error = "cannot create the lease bucket " + bucket_ + ": " + nats_error(s);
    return false;
  }
  return true;
}

bool ReplicatedLog::stream_bounds(uint64_t* first, uint64_t* last, std::string* error) {
  jsStreamInfo* si = nullptr;
  jsErrCode je = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js_, options_.stream.c_str(), nullptr, &je);
  if (s != NATS_OK) {
    *error = "stream " + options_.stream + " info: " + nats_error(s);
    return false;
  }
  *first = si->State.Msgs == 0 ? 0 : si->State.FirstSeq;
  *last = si->State.Msgs == 0 ? 0 : si->State.LastSeq;
  jsStreamInfo_Destroy(si);
  return true;
}

bool ReplicatedLog::message_range(uint64_t stream_seq, uint64_t* first, uint64_t* last,
                                  std::string* error) {
  natsMsg* m = nullptr;
  jsErrCode je = static_cast<jsErrCode>(0);
  natsStatus s = js_GetMsg(&m, js_, options_.stream.c_str(), stream_seq, nullptr, &je);
  if (s != NATS_OK) {
    *error = "stream message " + std::to_string(stream_seq) + ": " + nats_error(s);
    return false;
  }
  bool ok = header_u64(m, kFirstHeader, first) && header_u64(m, kLastHeader, last);
  natsMsg_Destroy(m);
  if (!ok) *error = "stream message " + std::to_string(stream_seq) + " has no credo seq headers";
  return ok;
}

bool ReplicatedLog::find_start(uint64_t applied, uint64_t* stream_seq, std::string* error) {
  uint64_t first = 0, last = 0;
  if (!stream_bounds(&first, &last, error)) return false;
  if (last == 0) {
    *stream_seq = 0;
    return true;
  }
  uint64_t f = 0, l = 0;
  if (!message_range(last, &f, &l, error)) return false;
  if (l < applied) {
    *error = "this node is at command seq " + std::to_string(applied) +
             " but the stream ends at " + std::to_string(l) +
             ": its data directory holds commands the stream never acknowledged (a deposed "
             "primary's): start it from an empty or a copied data directory";
    return false;
  }
  if (l == applied) {
    *stream_seq = last + 1;
    return true;
  }
  // Binary search for the first message holding a command after `applied`.
  uint64_t lo = first, hi = last;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    if (!message_range(mid, &f, &l, error)) return false;
    if (l > applied)
      hi = mid;
    else
      lo = mid + 1;
  }
  if (!message_range(lo, &f, &l, error)) return false;
  if (f > applied + 1) {
    *error = "the stream starts at command seq " + std::to_string(f) + " but this node is at " +
             std::to_string(applied) +
             ": start it from an empty data directory (it then starts from the snapshot stored "
             "in NATS) or a copy of a replica's";
    return false;
  }
  *stream_seq = lo;
  return true;
}

bool ReplicatedLog::catch_up_directly(Engine& engine, std::string* error) {
  uint64_t applied = engine.counts().last_seq;
  uint64_t from = 0;
  if (!find_start(applied, &from, error)) return false;
  uint64_t first = 0, last = 0;
  if (!stream_bounds(&first, &last, error)) return false;
  std::vector<Command> cmds;
  Result result;
  uint64_t count = 0;
  for (uint64_t seq = from; seq != 0 && seq <= last; seq++) {
    natsMsg* m = nullptr;
    jsErrCode je = static_cast<jsErrCode>(0);
    natsStatus s = js_GetMsg(&m, js_, options_.stream.c_str(), seq, nullptr, &je);
    if (s != NATS_OK) {
      *error = "stream message " + std::to_string(seq) + ": " + nats_error(s);
      return false;
    }
    cmds.clear();
    bool ok = decode_batch(std::string_view(natsMsg_GetData(m),
                                            static_cast<std::size_t>(natsMsg_GetDataLength(m))),
                           &cmds, error);
    natsMsg_Destroy(m);
    if (!ok) {
      *error = "stream message " + std::to_string(seq) + ": " + *error;
      return false;
    }
    for (Command& cmd : cmds) {
      if (cmd.seq <= applied) continue;
      if (cmd.seq != applied + 1) {
        *error = "stream message " + std::to_string(seq) + " jumps from command seq " +
                 std::to_string(applied) + " to " + std::to_string(cmd.seq);
        return false;
      }
      engine.apply(cmd, result);
      if (!result.ok()) {
        *error = "command seq " + std::to_string(cmd.seq) + " from the stream failed here: " +
                 result.error.message;
        return false;
      }
      local_->append(cmd);
      applied = cmd.seq;
      count++;
    }
  }
  stream_seq_.store(last);
  applied_seq_.store(applied);
  replicated_seq_.store(applied);
  received_seq_.store(applied);
  if (count > 0)
    log("caught up " + std::to_string(count) + " commands from stream " + options_.stream +
        " (command seq " + std::to_string(applied) + ", stream seq " + std::to_string(last) + ")");
  return true;
}

bool ReplicatedLog::open(const ReplicationOptions& options, Engine& engine, std::string* error) {
  options_ = options;
  engine_ = &engine;
  subject_ = options_.stream + ".wal";
  bucket_ = options_.stream + "_lease";
  {
    std::lock_guard lock(mu_);
    advertise_ = options_.advertise;
  }
  {
    std::random_device rd;
    msg_id_prefix_ = "credo-" + std::to_string(rd()) + std::to_string(rd()) + "-";
  }
  if (options_.node_key.empty()) options_.node_key = replica_key(options_.data_dir);
  if (!connect(error)) return false;
  // The cluster may be electing the stream's leader (a node just restarted): retry a while.
  const int64_t ready_by = steady_ns() + kStartRetryMs * 1'000'000;
  for (;;) {
    uint64_t first = 0, last = 0;
    if (ensure_stream(error) && ensure_bucket(error) && ensure_retention(error) &&
        stream_bounds(&first, &last, error))
      break;
    if (steady_ns() > ready_by) return false;
    log(*error + "; retrying");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (!catch_up_directly(engine, error)) return false;
  if (!options_.follow) {
    // Wait up to two lease periods for a lapsed lease (a restart right after a stop).
    const int64_t deadline = steady_ns() + int64_t{options_.lease_ms} * 2'000'000;
    std::string why;
    while (!try_take_lease(&why)) {
      if (steady_ns() > deadline) {
        *error = why + ": start this node with --follow to make it a standby";
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(std::max(1, options_.lease_ms / 8)));
    }
    // Whatever was published before the lease became ours.
    if (!catch_up_directly(engine, error)) return false;
    expected_stream_seq_ = stream_seq_.load();
    {
      std::lock_guard lock(mu_);
      primary_ = advertise_;
    }
    role_.store(Role::primary);
    log("primary of stream " + options_.stream + " at command seq " +
        std::to_string(applied_seq_.load()));
  } else {
    role_.store(Role::standby);
    start_following(stream_seq_.load() + 1);
    log("standby of stream " + options_.stream + " from command seq " +
        std::to_string(applied_seq_.load()));
  }
  publisher_ = std::thread([this] { publish_loop(); });
  pthread_setname_np(publisher_.native_handle(), "credo-publish");
  lease_thread_ = std::thread([this] { lease_loop(); });
  pthread_setname_np(lease_thread_.native_handle(), "credo-lease");
  log("retention key " + options_.node_key + " in bucket " + options_.stream + "_replicas");
  housekeeper_ = std::thread([this] { housekeeping_loop(); });
  pthread_setname_np(housekeeper_.native_handle(), "credo-housekeep");
  return true;
}

void ReplicatedLog::start_following(uint64_t from_stream_seq) {
  stop_follow_.store(false);
  follower_ = std::thread([this, from_stream_seq] { follow_loop(from_stream_seq); });
  pthread_setname_np(follower_.native_handle(), "credo-follow");
}

void ReplicatedLog::follow_loop(uint64_t from_stream_seq) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = options_.stream.c_str();
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverByStartSequence;
  so.Config.OptStartSeq = from_stream_seq;
  natsSubscription* sub = nullptr;
  jsErrCode je = static_cast<jsErrCode>(0);
  natsStatus s = NATS_ERR;
  // NATS may be briefly unreachable (a restart): keep trying until stopped.
  while (!stop_follow_.load() && !stopping_.load()) {
    s = js_SubscribeSync(&sub, js_, subject_.c_str(), nullptr, &so, &je);
    if (s == NATS_OK) break;
    log("cannot subscribe to stream " + options_.stream + ": " + nats_error(s) + "; retrying");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (s != NATS_OK) return;
  std::vector<Command> cmds;
  std::string error;
  while (!stop_follow_.load() && !stopping_.load()) {
    natsMsg* m = nullptr;
    s = natsSubscription_NextMsg(&m, sub, 50);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
      stream_seq_.store(meta->Sequence.Stream);
      lag_.store(meta->NumPending);
      jsMsgMetaData_Destroy(meta);
    }
    const char* primary = nullptr;
    if (natsMsgHeader_Get(m, kPrimaryHeader, &primary) == NATS_OK && primary != nullptr &&
        *primary != '\0') {
      std::lock_guard lock(mu_);
      primary_ = primary;
    }
    cmds.clear();
    bool ok = decode_batch(std::string_view(natsMsg_GetData(m),
                                            static_cast<std::size_t>(natsMsg_GetDataLength(m))),
                           &cmds, &error);
    natsMsg_Destroy(m);
    if (!ok) {
      fence("a stream message does not decode: " + error);
      break;
    }
    std::lock_guard lock(mu_);
    for (Command& cmd : cmds) {
      uint64_t have = received_seq_.load();
      if (cmd.seq <= have) continue;  // already applied (a redelivery)
      if (cmd.seq != have + 1) {
        failure_ = "the stream jumps from command seq " + std::to_string(have) + " to " +
                   std::to_string(cmd.seq);
        role_.store(Role::fenced);
        break;
      }
      received_seq_.store(cmd.seq);
      incoming_.push_back(std::move(cmd));
    }
  }
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
}

void ReplicatedLog::take_replicated(std::vector<Command>* out) {
  if (role_.load(std::memory_order_relaxed) == Role::primary) return;
  std::lock_guard lock(mu_);
  if (incoming_.empty()) return;
  out->swap(incoming_);
}

void ReplicatedLog::append(const Command& cmd) {
  local_->append(cmd);
  applied_seq_.store(cmd.seq);
  const Role role = role_.load();
  if (role == Role::standby) {
    // Received from the stream: it is replicated already.
    replicated_seq_.store(cmd.seq);
    notify_durable();
    return;
  }
  if (role != Role::primary) return;  // fenced: never acknowledged, answered with an error
  std::string error;
  {
    std::lock_guard lock(mu_);
    if (pending_.empty() || pending_.back().data.size() >= kMaxMessageBytes) pending_.emplace_back();
    Batch& b = pending_.back();
    if (!wal::append_record(cmd, b.data, &error)) {
      failure_ = "cannot encode command seq " + std::to_string(cmd.seq) + ": " + error;
      role_.store(Role::fenced);
      return;
    }
    if (b.first == 0) b.first = cmd.seq;
    b.last = cmd.seq;
  }
  publish_cv_.notify_one();
}

void ReplicatedLog::fence(const std::string& why) {
  draining_.store(false);
  {
    std::lock_guard lock(mu_);
    if (role_.load() == Role::fenced) return;
    failure_ = why;
    stream_seen_ns_.store(0);
    fenced_at_ns_.store(steady_ns());
    role_.store(Role::fenced);
  }
  log("stopped accepting changes: " + why);
}

void ReplicatedLog::notify_durable() {
  const uint64_t d = std::min(local_->durable_seq(), replicated_seq_.load());
  std::lock_guard lock(cb_mu_);
  if (d <= reported_durable_) return;
  reported_durable_ = d;
  if (on_durable_) on_durable_(d);
}

uint64_t ReplicatedLog::durable_seq() const {
  return std::min(local_->durable_seq(), replicated_seq_.load());
}

void ReplicatedLog::set_on_durable(std::function<void(uint64_t)> cb) {
  std::lock_guard lock(cb_mu_);
  on_durable_ = std::move(cb);
}

bool ReplicatedLog::failed(std::string* why) const {
  if (role_.load() == Role::fenced) {
    std::lock_guard lock(mu_);
    *why = failure_;
    return true;
  }
  return local_->failed(why);
}

bool ReplicatedLog::standby(std::string* primary) const {
  if (role_.load() != Role::standby) return false;
  std::lock_guard lock(mu_);
  *primary = primary_;
  return true;
}

bool ReplicatedLog::replication_stats(net::ReplicationStats* out) const {
  const Role role = role_.load();
  out->role = role == Role::primary ? "primary" : role == Role::standby ? "standby" : "fenced";
  {
    std::lock_guard lock(mu_);
    out->primary = primary_;
  }
  out->applied_seq = applied_seq_.load();
  out->replicated_seq = replicated_seq_.load();
  out->stream_seq = stream_seq_.load();
  out->lag_messages = role == Role::standby ? lag_.load() : 0;
  out->published = published_.load();
  return true;
}

bool ReplicatedLog::close(std::string* error) {
  if (!stopping_.load()) {
    // A clean stop of the primary: the engine thread has stopped; let the publisher finish what
    // is queued so that the stream holds everything this node applied, then release the lease
    // (below) so that a standby takes over at once instead of after the TTL.
    const int64_t deadline = steady_ns() + kPublishWaitMs * 1'000'000;
    while (role_.load() == Role::primary && replicated_seq_.load() < applied_seq_.load() &&
           steady_ns() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!stopping_.exchange(true)) {
    publish_cv_.notify_all();
    {
      std::lock_guard lock(mu_);
      stop_cv_.notify_all();
    }
    stop_follow_.store(true);
    if (publisher_.joinable()) publisher_.join();
    if (lease_thread_.joinable()) lease_thread_.join();
    if (follower_.joinable()) follower_.join();
    if (housekeeper_.joinable()) housekeeper_.join();
    if (js_ != nullptr) {
      jsPubOptions po;
      jsPubOptions_Init(&po);
      po.MaxWait = kPublishWaitMs;
      js_PublishAsyncComplete(js_, &po);
    }
    // The shutdown snapshot (taken just before this close) is what a restart starts from.
    if (replicas_kv_ != nullptr && !options_.data_dir.empty()) report_retention();
    if (release_lease())
      log("released the lease at command seq " + std::to_string(applied_seq_.load()) +
          " (clean stop): a standby takes over now");
    // A node without --data leaves nothing to restart from: its report goes with it.
    if (replicas_kv_ != nullptr && options_.data_dir.empty())
      kvStore_Delete(replicas_kv_, options_.node_key.c_str());
    snapshots_.reset();
    if (replicas_kv_ != nullptr) kvStore_Destroy(replicas_kv_);
    replicas_kv_ = nullptr;
    if (kv_ != nullptr) kvStore_Destroy(kv_);
    kv_ = nullptr;
    if (js_ != nullptr) jsCtx_Destroy(js_);
    js_ = nullptr;
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
    nc_ = nullptr;
  }
  std::string ignored;
  return local_->close(error != nullptr ? error : &ignored);
}

}  // namespace credo::replication

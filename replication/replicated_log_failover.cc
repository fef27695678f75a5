// Failover (docs/replication.md "Failover"): the leadership lease in a JetStream key-value
// bucket, its renewal by the primary, a standby's takeover (promote) and step_down.
#include <nats/nats.h>

#include <algorithm>
#include <thread>

#include "replication/nats_util.h"
#include "replication/replicated_log.h"

namespace credo::replication {

using namespace detail;  // NOLINT(google-build-using-namespace): this library's own helpers

bool ReplicatedLog::try_take_lease(std::string* error) {
  const std::string addr = advertise();
  const int64_t t0 = steady_ns();
  uint64_t rev = 0;
  natsStatus s = kvStore_Create(&rev, kv_, kLeaseKey, addr.data(), static_cast<int>(addr.size()));
  if (s == NATS_OK) {
    lease_rev_ = rev;
    lease_valid_until_ns_.store(t0 + int64_t{options_.lease_ms} * 750'000);
    return true;
  }
  kvEntry* e = nullptr;
  if (kvStore_Get(&e, kv_, kLeaseKey) == NATS_OK) {
    std::string holder(static_cast<const char*>(kvEntry_Value(e)),
                       static_cast<std::size_t>(kvEntry_ValueLen(e)));
    kvEntry_Destroy(e);
    std::lock_guard lock(mu_);
    primary_ = holder;
    *error = "the lease is held by " + (holder.empty() ? std::string("another node") : holder);
  } else {
    *error = "cannot take the lease: " + nats_error(s);
  }
  return false;
}

void ReplicatedLog::lease_loop() {
  const auto period = std::chrono::milliseconds(std::max(1, options_.lease_ms / 4));
  // A renewal that failed for a transient reason (no responders while JetStream elects the
  // bucket's leader, a timeout, a reconnect) is retried at once and then every kRetry, not a
  // whole period later: with a period of a quarter of the lease, three unlucky attempts would
  // otherwise let the lease lapse while NATS had been back for seconds.
  constexpr auto kRetry = std::chrono::milliseconds(100);
  auto wait = period;
  while (!stopping_.load()) {
    {
      std::unique_lock lock(mu_);
      stop_cv_.wait_for(lock, wait, [this] { return stopping_.load(); });
    }
    wait = period;
    if (stopping_.load()) break;
    const Role role = role_.load();
    if (role == Role::primary) {
      const std::string addr = advertise();
      const int64_t t0 = steady_ns();
      uint64_t rev = 0;
      natsStatus s = kvStore_Update(&rev, kv_, kLeaseKey, addr.data(),
                                    static_cast<int>(addr.size()), lease_rev_);
      if (s == NATS_OK) {
        lease_rev_ = rev;
        lease_valid_until_ns_.store(t0 + int64_t{options_.lease_ms} * 750'000);
      } else if (s == NATS_ERR) {
        // The server refused the compare-and-set: the lease expired or another node has it.
        fence("lost the lease: " + nats_error(s));
      } else if (steady_ns() > lease_valid_until_ns_.load()) {
        // A timeout, a reconnect: retried, but once the lease may have lapsed (no quorum, NATS
        // unreachable) the changes waiting for acknowledgement are answered at once.
        fence("the lease could not be renewed in time (" + nats_error(s) +
              "): the stream may have no quorum, or another node may be primary");
      } else {
        wait = std::min(period, kRetry);
      }
    } else if (role == Role::fenced) {
      // try_resume demotes this node only once the stream answers again.
      uint64_t first = 0, last = 0;
      std::string error;
      if (stream_bounds(&first, &last, &error)) stream_seen_ns_.store(steady_ns());
    } else if (role == Role::standby) {
      kvEntry* e = nullptr;
      natsStatus s = kvStore_Get(&e, kv_, kLeaseKey);
      if (s == NATS_OK) {
        std::string holder(static_cast<const char*>(kvEntry_Value(e)),
                           static_cast<std::size_t>(kvEntry_ValueLen(e)));
        kvEntry_Destroy(e);
        std::lock_guard lock(mu_);
        if (!holder.empty()) primary_ = holder;
      } else if (s == NATS_NOT_FOUND && steady_ns() > no_takeover_until_ns_.load()) {
        std::string why;
        if (try_take_lease(&why) && !promote()) break;
      }
    }
  }
}

bool ReplicatedLog::promote() {
  log("the lease lapsed and this node took it: catching up to the end of stream " +
      options_.stream);
  uint64_t first = 0, last = 0;
  std::string error;
  if (!stream_bounds(&first, &last, &error)) {
    fence("took the lease but cannot read the stream: " + error);
    return false;
  }
  // Receive everything up to the stream's end, then stop following.
  while (stream_seq_.load() < last && role_.load() == Role::standby && !stopping_.load())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  stop_follow_.store(true);
  if (follower_.joinable()) follower_.join();
  // Let the engine thread apply what was received.
  while (applied_seq_.load() < received_seq_.load() && !stopping_.load())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (role_.load() != Role::standby || stopping_.load()) return false;
  {
    std::lock_guard lock(mu_);
    expected_stream_seq_ = std::max(last, stream_seq_.load());
    inflight_.clear();
    resend_ = false;
    resend_rounds_ = 0;
    stream_seq_.store(expected_stream_seq_);
    replicated_seq_.store(applied_seq_.load());
    primary_ = advertise_;
    role_.store(Role::primary);
  }
  notify_durable();
  log("primary of stream " + options_.stream + " at command seq " +
      std::to_string(applied_seq_.load()) + " (stream seq " + std::to_string(last) + ")");
  return true;
}

bool ReplicatedLog::step_down(std::string* error) {
  if (role_.load() != Role::primary) {
    *error = "this node is not the primary";
    return false;
  }
  // No new change from here on (the engine thread sees failed()); what was appended before
  // is published and acknowledged, so this node's state is exactly the stream's.
  draining_.store(true);  // the publisher still publishes what is queued
  {
    std::lock_guard lock(mu_);
    failure_ = "stepping down (step_down): retry on the new primary";
    role_.store(Role::fenced);
  }
  const int64_t deadline = steady_ns() + kPublishWaitMs * 1'000'000;
  while (replicated_seq_.load() < applied_seq_.load() && draining_.load() &&
         steady_ns() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  draining_.store(false);
  no_takeover_until_ns_.store(steady_ns() + int64_t{options_.lease_ms} * 2'000'000);
  if (kv_ != nullptr) kvStore_Delete(kv_, kLeaseKey);
  if (replicated_seq_.load() < applied_seq_.load()) {
    *error = "stepped down, but commands after seq " + std::to_string(replicated_seq_.load()) +
             " were not acknowledged by the stream: this node stays fenced (restart it as a "
             "standby from an empty data directory)";
    return false;
  }
  {
    std::lock_guard lock(mu_);
    received_seq_.store(applied_seq_.load());
    primary_.clear();
    failure_.clear();
    role_.store(Role::standby);
  }
  start_following(stream_seq_.load() + 1);
  log("stepped down at command seq " + std::to_string(applied_seq_.load()) +
      ": following the stream as a standby");
  return true;
}

void ReplicatedLog::set_rejoin(std::function<std::string()> rejoin) {
  rejoin_ = std::move(rejoin);
}

bool ReplicatedLog::try_resume(Engine& e, uint64_t* last_seq, std::string* why) {
  if (role_.load() != Role::fenced) return local_->try_resume(e, last_seq, why);
  if (draining_.load()) {
    *why = "stepping down";
    return false;
  }
  // The stream must answer (after the fence) before this node can follow it.
  if (stream_seen_ns_.load() <= fenced_at_ns_.load()) {
    *why = "the stream does not answer (no quorum, or NATS unreachable)";
    return false;
  }
  if (acked_.load() < published_.load()) {
    *why = "publishes in flight";
    return false;
  }
  const uint64_t applied = applied_seq_.load();
  if (replicated_seq_.load() < applied) {
    // This engine applied commands the stream never acknowledged: only a fresh start from the
    // stream undoes them.
    if (!rejoin_) {
      *why = "fenced with commands the stream never acknowledged: restart this node with "
             "--follow from an empty data directory";
      return false;
    }
    log("fenced with commands after seq " + std::to_string(replicated_seq_.load()) +
        " that the stream never acknowledged: restarting as a standby");
    *why = rejoin_();
    log("cannot restart as a standby: " + *why);
    rejoin_ = nullptr;
    return false;
  }
  if (follower_.joinable()) {
    stop_follow_.store(true);
    follower_.join();
  }
  {
    std::lock_guard lock(mu_);
    received_seq_.store(applied);
    incoming_.clear();
    primary_.clear();
    failure_.clear();
    role_.store(Role::standby);
  }
  start_following(stream_seq_.load() + 1);
  *last_seq = applied;
  log("demoted to standby at command seq " + std::to_string(applied) +
      " (every change it answered ok is in the stream): following the stream");
  return true;
}

}  // namespace credo::replication

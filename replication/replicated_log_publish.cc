// The primary's publisher (docs/replication.md "Primary"): batches published asynchronously
// with expected-last-sequence; acknowledgements advance the replicated seq; a transient failure
// (no responders while JetStream elects a stream leader, a timeout) resends what is in flight,
// with message ids so that a resend of a stored message is a duplicate, while the lease holds.
#include <nats/nats.h>

#include <algorithm>
#include <thread>

#include "replication/nats_util.h"
#include "replication/replicated_log.h"

namespace credo::replication {

using namespace detail;  // NOLINT(google-build-using-namespace): this library's own helpers

namespace {

// Resends back off this long (ms) per round, up to kMaxBackoffMs.
constexpr int kBackoffMs = 20;
constexpr int kMaxBackoffMs = 200;

bool transient(const jsPubAckErr* pae) {
  return pae->Err == NATS_NO_RESPONDERS || pae->Err == NATS_TIMEOUT ||
         pae->Err == NATS_CONNECTION_CLOSED || pae->Err == NATS_CONNECTION_DISCONNECTED ||
         pae->ErrCode == JSClusterNotAvailErr || pae->ErrCode == JSStreamNotFoundErr;
}

}  // namespace

void ReplicatedLog::ack_handler(jsCtx* /*js*/, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae,
                                void* closure) {
  static_cast<ReplicatedLog*>(closure)->on_ack(msg, pa, pae);
}

bool ReplicatedLog::publish(const Batch& b) {
  natsMsg* m = nullptr;
  natsStatus s = natsMsg_Create(&m, subject_.c_str(), nullptr, b.data.data(),
                                static_cast<int>(b.data.size()));
  const std::string first = std::to_string(b.first), last = std::to_string(b.last);
  const std::string id = msg_id_prefix_ + first;
  const std::string addr = advertise();
  if (s == NATS_OK) s = natsMsgHeader_Set(m, kFirstHeader, first.c_str());
  if (s == NATS_OK) s = natsMsgHeader_Set(m, kLastHeader, last.c_str());
  if (s == NATS_OK) s = natsMsgHeader_Set(m, "Nats-Msg-Id", id.c_str());
  if (s == NATS_OK && !addr.empty()) s = natsMsgHeader_Set(m, kPrimaryHeader, addr.c_str());
  jsPubOptions po;
  jsPubOptions_Init(&po);
  // 0 means "no check" to JetStream: the very first message of a stream is fenced by the
  // lease alone.
  po.ExpectLastSeq = b.expected;
  po.MaxWait = kPublishWaitMs;
  if (s == NATS_OK) s = js_PublishMsgAsync(js_, &m, &po);
  if (s != NATS_OK) {
    natsMsg_Destroy(m);
    fence("cannot publish to stream " + options_.stream + ": " + nats_error(s));
    return false;
  }
  published_.fetch_add(1);
  return true;
}

void ReplicatedLog::publish_loop() {
  while (!stopping_.load()) {
    // A transient failure: once every publish is answered, resend what is in flight, in order.
    bool resend = false;
    {
      std::lock_guard lock(mu_);
      resend = resend_;
    }
    if (resend) {
      if (acked_.load() < published_.load() || role_.load() != Role::primary) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      std::deque<Batch> again;
      {
        std::lock_guard lock(mu_);
        resend_ = false;
        again = inflight_;
        resend_rounds_++;
      }
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min(kMaxBackoffMs, kBackoffMs * resend_rounds_)));
      for (const Batch& b : again) {
        if (steady_ns() > lease_valid_until_ns_.load()) {
          fence("the stream did not acknowledge in time and the lease could not be renewed: "
                "another node may be primary");
          break;
        }
        if (!publish(b)) break;
      }
      continue;
    }
    Batch b;
    {
      std::unique_lock lock(mu_);
      publish_cv_.wait_for(lock, std::chrono::milliseconds(10),
                           [this] { return stopping_.load() || !pending_.empty() || resend_; });
      if (pending_.empty() || resend_) continue;
      b = std::move(pending_.front());
      pending_.pop_front();
    }
    // Fenced: these are never acknowledged (unless a step_down is draining them).
    if (role_.load() != Role::primary && !draining_.load()) continue;
    // Fencing by time: past the moment the lease is surely ours, a standby may have taken it
    // (a pause, a partition); publish nothing more.
    if (steady_ns() > lease_valid_until_ns_.load()) {
      fence("the lease could not be renewed in time (was this process paused, or NATS "
            "unreachable?): another node may be primary");
      continue;
    }
    b.expected = expected_stream_seq_;
    {
      std::lock_guard lock(mu_);
      inflight_.push_back(b);
    }
    if (!publish(b)) continue;
    expected_stream_seq_++;
  }
}

void ReplicatedLog::on_ack(natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae) {
  uint64_t first = 0, last = 0;
  const bool ours = header_u64(msg, kFirstHeader, &first) && header_u64(msg, kLastHeader, &last);
  if (pae != nullptr) {
    bool later = false, retry = false, first_round = false;
    {
      std::lock_guard lock(mu_);
      // A message after one that failed transiently fails its expected sequence too: it is
      // resent with the rest.
      later = resend_ && !inflight_.empty() && inflight_.front().first != first;
      retry = transient(pae) && role_.load() == Role::primary;
      first_round = retry && !resend_ && resend_rounds_ == 0;
      if (retry) resend_ = true;
    }
    if (retry) {
      publish_cv_.notify_one();
      if (first_round)
        log("stream " + options_.stream + " did not acknowledge a publish (" +
            nats_error(pae->Err) + "): resending while the lease holds");
    } else if (pae->ErrCode == JSStreamWrongLastSequenceErr && later) {
      // resent with the rest
    } else if (pae->ErrCode == JSStreamWrongLastSequenceErr) {
      fence("fenced: another node appended to stream " + options_.stream +
            " (expected-last-sequence failed): this node is no longer primary");
    } else {
      fence("stream " + options_.stream + " did not acknowledge a publish: " +
            (pae->ErrText != nullptr ? std::string(pae->ErrText) : nats_error(pae->Err)));
    }
  } else if (pa != nullptr && ours) {
    {
      std::lock_guard lock(mu_);
      auto it = std::find_if(inflight_.begin(), inflight_.end(),
                             [first](const Batch& b) { return b.first == first; });
      if (it != inflight_.end()) inflight_.erase(inflight_.begin(), it + 1);
      if (inflight_.empty()) resend_rounds_ = 0;
    }
    uint64_t prev = replicated_seq_.load();
    while (last > prev && !replicated_seq_.compare_exchange_weak(prev, last)) {
    }
    uint64_t sprev = stream_seq_.load();
    while (pa->Sequence > sprev && !stream_seq_.compare_exchange_weak(sprev, pa->Sequence)) {
    }
    notify_durable();
  }
  natsMsg_Destroy(msg);
  acked_.fetch_add(1);
}

}  // namespace credo::replication

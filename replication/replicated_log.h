// CommandLog that replicates the journal on NATS JetStream (docs/replication.md).
//
// It wraps the node's local log (the journal with --data, else MemoryLog). As primary, every
// appended command goes to the local log and, as a WAL record, into a batch that a publisher
// thread publishes asynchronously to the stream, with expected-last-sequence set to the
// message before it (fencing: only the node whose view of the stream is current can append).
// durable_seq() is the lower of the local log's and the last command the stream acknowledged,
// so an answer leaves only when both hold it. As standby, a consumer thread reads the stream,
// checks and decodes the records, and hands them to the engine thread (take_replicated());
// state changes are refused (standby()). A leadership lease in a key-value bucket with a TTL
// decides which node is primary: the primary renews it; a standby that finds it lapsed takes
// it by compare-and-set, catches up to the end of the stream and becomes primary.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "net/command_log.h"

// The NATS C client's handles (nats/nats.h), kept out of this header.
struct __natsConnection;
struct __jsCtx;
struct __kvStore;
struct __natsMsg;
struct jsPubAck;
struct jsPubAckErr;

namespace credo::replication {

struct ReplicationOptions {
  std::string servers;  // "nats://host:port[,nats://host:port...]"
  std::string stream = "credo";
  int replicas = 3;
  bool follow = false;  // start as a standby (else: take the lease at start, or refuse to start)
  int lease_ms = 2'000;
  std::string advertise;  // this node's client address, named in NOT_PRIMARY by standbys
  int max_inflight = 256;  // published messages not yet acknowledged
  // The node's data directory ("" without --data): its newest snapshot is what it reports for
  // stream retention and what it uploads to the snapshot stream.
  std::string data_dir;
  // This node's key in the retention bucket (<stream>_replicas); "" makes one up (see
  // replica_key()).
  std::string node_key;
  std::function<void(const std::string&)> log;  // one line of operator information
};

class SnapshotStore;

// The retention bucket's key for a node: from the host name and the data directory's absolute
// path (stable across restarts from it), or for a node without --data a random one.
std::string replica_key(const std::string& data_dir);

class ReplicatedLog final : public net::CommandLog {
 public:
  explicit ReplicatedLog(std::unique_ptr<net::CommandLog> local);
  ~ReplicatedLog() override;
  ReplicatedLog(const ReplicatedLog&) = delete;
  ReplicatedLog& operator=(const ReplicatedLog&) = delete;

  // Connects, creates the stream and the lease bucket if missing, and brings `engine` (already
  // recovered by the local log) up to the stream's end: commands it lacks are applied to it and
  // appended to the local log here, before the server runs. Then either takes the lease
  // (primary) or, with options.follow, starts following. `engine` must outlive this log.
  bool open(const ReplicationOptions& options, Engine& engine, std::string* error);
  // The address NOT_PRIMARY names for this node once it is primary (known after listen()).
  void set_advertise(const std::string& address);

  void append(const Command& cmd) override;
  uint64_t durable_seq() const override;
  void set_on_durable(std::function<void(uint64_t)> cb) override;
  bool failed(std::string* why) const override;
  bool snapshot(const Engine& e, uint64_t* seq, std::string* file, std::string* error) override {
    return local_->snapshot(e, seq, file, error);
  }
  void snapshot_async(const Engine& e, SnapshotDone done) override {
    local_->snapshot_async(e, std::move(done));
  }
  bool journal_stats(net::JournalStats* out) const override { return local_->journal_stats(out); }
  bool standby(std::string* primary) const override;
  void take_replicated(std::vector<Command>* out) override;
  bool replication_stats(net::ReplicationStats* out) const override;
  bool close(std::string* error) override;

  // Gives the lease up (admin switchover): this node stops accepting changes at once, waits
  // for its last batches to be acknowledged, deletes the lease (a standby takes it) and
  // follows the stream as a standby.
  bool step_down(std::string* error) override;

  // Self-demotion (engine thread, while failed()): a fenced primary whose every applied command
  // the stream acknowledged becomes a standby in place (*last_seq = its last command); one
  // whose engine holds commands the stream never acknowledged calls the rejoin function (which
  // restarts the process as a standby and does not return); while the stream is unreachable it
  // stays fenced (false). A log that failed for a local reason (disk) resumes as before.
  bool try_resume(Engine& e, uint64_t* last_seq, std::string* why) override;
  // What try_resume calls for a deposed primary with unacknowledged commands: restarts the
  // process as a standby; returns (with the reason) only if it could not.
  void set_rejoin(std::function<std::string()> rejoin);

  // The C callback of asynchronous publishes (closure: this log).
  static void ack_handler(__jsCtx* js, __natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae,
                          void* closure);

 private:
  enum class Role : uint8_t { standby, primary, fenced };
  struct Batch {
    std::string data;
    uint64_t first = 0, last = 0;
    uint64_t expected = 0;  // the stream sequence it is published after (once published)
  };
  void on_ack(__natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae);
  // Publishes `b` asynchronously (expected-last-sequence b.expected, a message id that makes a
  // resend of it a duplicate); false (fenced) if it could not.
  bool publish(const Batch& b);

  bool connect(std::string* error);
  bool ensure_stream(std::string* error);
  bool ensure_bucket(std::string* error);
  bool ensure_retention(std::string* error);
  // Stream state: first and last message sequence.
  bool stream_bounds(uint64_t* first, uint64_t* last, std::string* error);
  // The command seqs a stored message holds (its headers).
  bool message_range(uint64_t stream_seq, uint64_t* first, uint64_t* last, std::string* error);
  // The first stream message holding a command after `applied` (0 when there is none yet).
  bool find_start(uint64_t applied, uint64_t* stream_seq, std::string* error);
  // Applies the stream's messages after the engine's last seq to `engine` (before run()).
  bool catch_up_directly(Engine& engine, std::string* error);
  bool try_take_lease(std::string* error);
  void start_following(uint64_t from_stream_seq);
  void follow_loop(uint64_t from_stream_seq);
  void publish_loop();
  void lease_loop();
  // Retention (replicated_log_retention.cc): every node reports the newest command seq it can
  // restart from without the stream (its newest local snapshot, or with no --data its applied
  // seq while it lives); a node with --data uploads a newer local snapshot to the snapshot
  // stream; the primary purges the journal stream below the lowest report and the stored
  // snapshot.
  void housekeeping_loop();
  void report_retention();
  void upload_snapshot();
  void trim_stream();
  // The lowest command seq any replica still needs from the stream, minus one (reports and the
  // stored snapshot); false when nothing may be trimmed yet.
  bool retention_floor(uint64_t* floor);
  // Deletes the lease entry if this node still holds it and the stream has everything it
  // applied (a clean stop); true if released.
  bool release_lease();
  bool promote();
  void fence(const std::string& why);
  void notify_durable();
  void log(const std::string& line) const;
  std::string advertise() const;

  std::unique_ptr<net::CommandLog> local_;
  ReplicationOptions options_;
  std::string subject_;
  std::string bucket_;
  Engine* engine_ = nullptr;

  __natsConnection* nc_ = nullptr;
  __jsCtx* js_ = nullptr;
  __kvStore* kv_ = nullptr;
  __kvStore* replicas_kv_ = nullptr;  // retention reports, one key per node
  std::unique_ptr<SnapshotStore> snapshots_;

  std::atomic<Role> role_{Role::standby};
  mutable std::mutex mu_;  // everything below that is not atomic
  std::string failure_;
  std::string primary_;     // the primary's address (from the lease), standby
  std::string advertise_;

  // Primary: batches waiting for the publisher, and the stream position it publishes after.
  std::condition_variable publish_cv_;
  std::deque<Batch> pending_;
  // Published, not yet acknowledged, in publish order: resent after a transient failure (no
  // responders during a JetStream leader election, a timeout).
  std::deque<Batch> inflight_;
  bool resend_ = false;  // a transient failure: resend inflight_ once every publish is answered
  int resend_rounds_ = 0;
  std::string msg_id_prefix_;  // unique to this process: the message id is it + first seq
  uint64_t expected_stream_seq_ = 0;  // publisher thread (and promote(), before it runs)
  uint64_t next_ack_stream_seq_ = 0;
  std::atomic<uint64_t> replicated_seq_{0};
  std::atomic<uint64_t> stream_seq_{0};
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> acked_{0};  // publishes answered (acknowledged or not)
  // Fenced: when the lease thread last read the stream successfully (steady ns), 0 if not yet.
  std::atomic<int64_t> stream_seen_ns_{0};
  std::atomic<int64_t> fenced_at_ns_{0};
  std::function<std::string()> rejoin_;  // engine thread
  std::atomic<uint64_t> applied_seq_{0};

  // Standby: commands received, waiting for the engine thread.
  std::vector<Command> incoming_;
  std::atomic<uint64_t> received_seq_{0};
  std::atomic<uint64_t> lag_{0};
  std::atomic<bool> stop_follow_{false};
  std::thread follower_;

  // Lease: revision of our entry, and until when (steady clock) it is surely ours.
  uint64_t lease_rev_ = 0;
  std::atomic<int64_t> lease_valid_until_ns_{0};
  // After step_down: this node does not take the lease back before then.
  std::atomic<int64_t> no_takeover_until_ns_{0};
  std::atomic<bool> draining_{false};  // step_down: publish what is queued though fenced

  std::mutex cb_mu_;
  std::function<void(uint64_t)> on_durable_;
  uint64_t reported_durable_ = 0;

  // Retention (housekeeping thread).
  uint64_t reported_ = UINT64_MAX;
  int64_t reported_at_ns_ = 0;
  std::atomic<uint64_t> stored_snapshot_seq_{0};  // newest in the snapshot stream (as seen)
  uint64_t trimmed_through_ = 0;  // command seqs <= it were purged from the stream
  std::string housekeeping_error_;  // the last one logged (not repeated)
  std::thread housekeeper_;

  std::atomic<bool> stopping_{false};
  std::thread publisher_;
  std::thread lease_thread_;
  std::condition_variable stop_cv_;
};

}  // namespace credo::replication

// Shared by the replication tests (docs/replication.md "Tests"): NATS JetStream servers started
// here (one, or a 3-node cluster, on free loopback ports in temporary directories, stopped by
// pid), credo-server replica arguments, a pipelining load of orders and payments, and state
// hashes.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/line_client.h"
#include "tests/common/temp_dir.h"

namespace credo::test {

uint16_t free_port();

// `n` nats-server processes with JetStream; n > 1 forms a cluster (routes between all). The
// constructor waits until JetStream answers (the cluster elected its meta leader).
class NatsCluster {
 public:
  explicit NatsCluster(int n);
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  std::string urls() const;  // every node, comma-separated
  std::string url(int i) const;
  void kill(int i);   // SIGKILL
  void start(int i);  // again, with its store (after kill)
  // Waits up to `ms` until `stream` has a leader and every other replica (one per other node)
  // is online and current. True if it did.
  bool stream_ready(const std::string& stream, int ms) const;
  bool jetstream_ready(int ms) const;

 private:
  struct Node {
    uint16_t port = 0, cluster_port = 0;
    pid_t pid = -1;
    std::string store;
  };
  TempDir dir_{"nats"};
  std::vector<Node> nodes_;
};

struct ReplicaOptions {
  bool follow = false;
  std::string data;  // --data, "" for none
  int lease_ms = 1000;
};
std::vector<std::string> replica_args(const NatsCluster& nats, const ReplicaOptions& o);

void setup_world(Client& admin);  // product B, customer C
std::string order(const std::string& id);
std::string payment(const std::string& ref);

struct Hash {
  int64_t seq = -1;
  std::string hash;
};
Hash state_hash(Client& c);
// Polls the server on `port` until its state reaches `seq` (or `ms` pass); reconnects as
// needed (a node that restarts itself).
Hash wait_for_seq(uint16_t port, int64_t seq, int ms = 20'000);
Hash wait_for_seq(Client& c, int64_t seq, int ms = 20'000);

// Several connections pipelining bursts of orders (and payments on one of them) until stopped
// or their connection fails; remembers every answer that was ok.
class Load {
 public:
  struct Answered {
    std::string request;  // the line sent (resubmitted as is)
    std::string id;       // client_order_id or payment_ref
    int64_t order_no = 0;  // orders
    std::string status;    // orders
  };
  // `tag` makes the ids unique across loads on the same stream.
  Load(uint16_t port, const std::string& tag, int order_connections, bool payments);
  ~Load();
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;
  void stop();  // joins (after the connections fail or stop_ is seen)
  std::vector<Answered> answered();
  std::vector<std::string> errors();  // answers that were not ok, as text

 private:
  void run(uint16_t port, const std::string& prefix, bool payments);
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Answered> answered_;
  std::vector<std::string> errors_;
  std::vector<std::thread> threads_;
};

}  // namespace credo::test

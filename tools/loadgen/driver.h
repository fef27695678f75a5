// The load driver: T threads, each with its own epoll loop over its share of the connections.
//
// Closed loop (rate == 0): every connection keeps `pipeline` requests in flight; each answer
// releases the next request. Latency is from the moment a request is written to its answer.
//
// Open loop (rate > 0): requests are due on a fixed schedule (rate per second, spread over the
// threads, handed to the connections round robin). Latency is measured from each request's
// INTENDED send time, so a stalled server (or a late client) is charged for all the requests
// that queued behind the stall: no coordinated omission. A connection holds at most `pipeline`
// requests in flight; more wait in its backlog, their clock already running.
//
// Several --host addresses: see DriverConfig::addresses.
//
// Bounded: the run stops sending at `duration`, then waits at most `drain` for the answers
// still owed, then closes everything. Only loopback addresses are accepted (checked in main).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/loadgen/histogram.h"
#include "tools/loadgen/hosts.h"
#include "tools/loadgen/workload.h"

namespace credo::loadgen {

enum class Protocol : uint8_t { credo, redis, http };  // http: credo over HTTP/1.1

struct DriverConfig {
  Protocol protocol = Protocol::credo;
  std::string host = "127.0.0.1";
  uint16_t port = 7400;
  // Every --host (the first is host:port). With more than one (credo over TCP), a connection
  // whose server answers NOT_PRIMARY (once its other answers are in) or that is lost moves to the
  // next address (docs/replication.md): a failover costs errors and latency, not the run.
  std::vector<Address> addresses;
  uint32_t threads = 1;
  uint32_t connections = 16;
  uint32_t pipeline = 16;  // closed loop: depth; open loop: the in-flight cap per connection
  double rate = 0;         // requests per second offered; 0 = closed loop
  double duration_s = 10;
  double warmup_s = 0;  // requests started in the first warmup_s are not measured
  double drain_s = 5;
  // Poll the sockets and the clock instead of sleeping in epoll_wait: the client's own wake-up
  // (from a timer or an answer) leaves the figures, at the cost of a core per thread.
  bool spin = false;
  uint32_t batch = 1;  // > 1: orders are sent as submit_orders of this many (credo only)
  // credo: the key for each kind (a connection says hello again when the kind needs another).
  std::string order_key, finance_key, warehouse_key;
  std::string redis_sha;  // redis: SHA1 of the loaded order script
  bool tls = false;       // credo --tls: every connection handshakes (tls_client.h)
  std::string tls_ca;     // --ca: PEM CA to verify the server (empty: the system's)
  WorkloadConfig workload;
};

// Totals of a run (measured requests only), merged over the threads.
struct RunResult {
  Histogram latency;  // every measured request
  std::array<Histogram, kOpKinds> latency_by_kind;
  uint64_t requests = 0;  // measured requests answered
  uint64_t requests_by_kind[kOpKinds] = {};
  uint64_t orders = 0;  // orders decided (a batch counts its orders)
  uint64_t accepted = 0, held = 0, rejected = 0;
  uint64_t errors = 0;  // ok:false answers (and batch items)
  std::map<std::string, uint64_t> errors_by_code;
  uint64_t protocol_errors = 0;    // unparsable answers, connections lost
  uint64_t unanswered = 0;         // sent (or due) but not answered by the end of the drain
  uint64_t ships_substituted = 0;  // ships drawn with no accepted order to ship: sent as orders
  double measured_s = 0;           // length of the measured window
  double offered_rate = 0;
};

// Live counters for the progress line (written by the threads, read once a second).
struct Progress {
  std::atomic<uint64_t> answers{0};
  std::atomic<uint64_t> orders{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> inflight{0};
};

// Runs the load. Returns false (with `error`) only when it could not start (no connection);
// trouble during the run is counted in the result.
bool run_load(const DriverConfig& config, Progress* progress, RunResult* result,
              std::string* error);

}  // namespace credo::loadgen

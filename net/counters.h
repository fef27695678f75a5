// Counters the server's threads share (the stats op, the startup and shutdown lines).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "engine/log2_histogram.h"
#include "engine/ops.h"
#include "engine/types.h"

namespace credo::net {

// A Prometheus-style histogram with fixed bucket bounds (net/metrics.cc renders it): counts per
// bucket, the sum and the count. observe() is for a single writer (relaxed load + store, no
// read-modify-write, so it costs a few plain stores on the hot path); observe_shared() for
// several writers. Any thread may read (render time), seeing each counter relaxed: a scrape may
// see a bucket and the count one observation apart, which Prometheus tolerates.
struct FixedHistogram {
  // Latency bounds in nanoseconds, 10 us .. 10 s (1-2.5-5 steps); +Inf is implicit.
  static constexpr std::array<uint64_t, 19> kBoundsNs = {
      10'000,      25'000,      50'000,      100'000,       250'000,       500'000,       1'000'000,
      2'500'000,   5'000'000,   10'000'000,  25'000'000,    50'000'000,    100'000'000,
      250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};
  static constexpr std::size_t kBuckets = kBoundsNs.size() + 1;

  std::array<std::atomic<uint64_t>, kBuckets> buckets{};  // not cumulative; last = over 10 s
  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> sum_ns{0};

  static std::size_t bucket_of(uint64_t ns) {
    std::size_t b = 0;
    while (b < kBoundsNs.size() && ns > kBoundsNs[b]) ++b;
    return b;
  }
  // One writer thread only.
  void observe(uint64_t ns) {
    bump(buckets[bucket_of(ns)], 1);
    bump(count, 1);
    bump(sum_ns, ns);
  }
  // Any thread.
  void observe_shared(uint64_t ns) {
    buckets[bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
    count.fetch_add(1, std::memory_order_relaxed);
    sum_ns.fetch_add(ns, std::memory_order_relaxed);
  }
  static void bump(std::atomic<uint64_t>& a, uint64_t by) {
    a.store(a.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }
};

// The edges that count requests and connections (the `protocol` label of net/metrics.cc).
enum class Edge : uint8_t { tcp, http };
constexpr std::size_t kEdgeCount = 2;
// Requests whose op is not known (unparseable lines) count under this op index.
constexpr std::size_t kNoOp = kOpCount;

// What /metrics shows beyond the counters the stats op already had. Every field has ONE writer
// thread (named per group) and is read at render time from any thread.
struct MetricsCounters {
  // I/O thread (each edge's): requests answered, by edge, op (kNoOp: unparsed) and result code;
  // end-to-end latency by op (line read -> answer queued for writing, as `stats` measures).
  std::array<std::array<std::array<std::atomic<uint64_t>, kErrorCodeCount>, kOpCount + 1>,
             kEdgeCount>
      requests{};
  std::array<FixedHistogram, kOpCount> request_seconds{};
  // Connections open and accepted, by edge (the TCP edge also keeps SharedCounters::connections,
  // which bounds max_connections and drives the shutdown drain).
  std::array<std::atomic<uint64_t>, kEdgeCount> connections{};
  std::array<std::atomic<uint64_t>, kEdgeCount> connections_accepted{};

  // Engine thread: time each op's step took on the engine thread (parse and I/O excluded);
  // orders submitted (submit_order / submit_orders, not quotes, not duplicates) by decision, and
  // their hold or reject reasons (an order counts once per reason it carries).
  std::array<FixedHistogram, kOpCount> engine_seconds{};
  std::array<std::atomic<uint64_t>, kOrderStatusCount> orders{};
  std::array<std::atomic<uint64_t>, kReasonCount> order_reasons{};

  // Any thread (the snapshot's completion): admin `snapshot` op, request to durable file.
  FixedHistogram snapshot_seconds;

  // I/O thread of `edge`: one answered request.
  void count_request(Edge edge, std::size_t op, ErrorCode code, uint64_t ns) {
    FixedHistogram::bump(
        requests[static_cast<std::size_t>(edge)][op][static_cast<std::size_t>(code)], 1);
    if (op < kOpCount) request_seconds[op].observe(ns);
  }
};

// The stall detector (issue 12): how long each single step of the engine thread took (one
// command or query applied, a tick, a journal check), as the longest step and a log2 histogram
// in microseconds (engine/log2_histogram.h's buckets: bucket i counts steps of at most 2^i us,
// the last one the longer ones). Written by the engine thread only (plain stores, no
// read-modify-write), read by `stats` and /metrics on an I/O thread.
struct EngineSteps {
  using Histogram = Log2Histogram<21>;  // 1 us .. ~1 s, then longer
  static constexpr std::size_t kBuckets = Histogram::kBounds + 1;

  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> sum_ns{0};
  std::atomic<uint64_t> max_ns{0};
  std::atomic<uint8_t> max_op{0};  // OpId of the longest step (engine/ops.h)
  std::array<std::atomic<uint64_t>, kBuckets> buckets{};

  // Engine thread only.
  void record(uint64_t ns, uint8_t op) {
    bump(buckets[Histogram::bucket_of((ns + 999) / 1000)]);
    bump(count);
    sum_ns.store(sum_ns.load(std::memory_order_relaxed) + ns, std::memory_order_relaxed);
    if (ns > max_ns.load(std::memory_order_relaxed)) {
      max_ns.store(ns, std::memory_order_relaxed);
      max_op.store(op, std::memory_order_relaxed);
    }
  }
  // Any thread: a copy in microseconds, for rendering.
  Histogram snapshot_us() const {
    Histogram h;
    for (std::size_t b = 0; b < kBuckets; ++b) h.buckets[b] = buckets[b].load(std::memory_order_relaxed);
    h.count = count.load(std::memory_order_relaxed);
    h.sum = sum_ns.load(std::memory_order_relaxed) / 1000;
    return h;
  }

 private:
  static void bump(std::atomic<uint64_t>& a) {
    a.store(a.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
};

struct SharedCounters {
  std::atomic<uint64_t> commands_applied{0};
  // Closed orders archived by this process's ticks (engine/archive.cc), primary or follower.
  std::atomic<uint64_t> orders_archived{0};
  std::atomic<uint64_t> last_journaled_seq{0};
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> overloaded{0};
  EngineSteps engine_steps;
  MetricsCounters metrics;
};

}  // namespace credo::net

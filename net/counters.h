// Counters the server's threads share (the stats op, the startup and shutdown lines).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace credo::net {

// The stall detector (issue 12): how long each single step of the engine thread took (one
// command or query applied, a tick, a journal check), as the longest step and a histogram by
// decades. Written by the engine thread only (plain stores, no read-modify-write), read by
// `stats` on the I/O thread.
struct EngineSteps {
  // Upper bounds of the buckets, in microseconds; the last bucket holds everything longer.
  static constexpr std::array<uint64_t, 6> kBoundsUs = {10, 100, 1'000, 10'000, 100'000, 1'000'000};
  static constexpr std::size_t kBuckets = kBoundsUs.size() + 1;

  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> max_ns{0};
  std::atomic<uint8_t> max_op{0};  // OpId of the longest step (engine/ops.h)
  std::array<std::atomic<uint64_t>, kBuckets> buckets{};

  // Engine thread only.
  void record(uint64_t ns, uint8_t op) {
    std::size_t b = 0;
    while (b < kBoundsUs.size() && ns > kBoundsUs[b] * 1000) ++b;
    buckets[b].store(buckets[b].load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (ns > max_ns.load(std::memory_order_relaxed)) {
      max_ns.store(ns, std::memory_order_relaxed);
      max_op.store(op, std::memory_order_relaxed);
    }
  }
};

struct SharedCounters {
  std::atomic<uint64_t> commands_applied{0};
  std::atomic<uint64_t> last_journaled_seq{0};
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> overloaded{0};
  EngineSteps engine_steps;
};

}  // namespace credo::net

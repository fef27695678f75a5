// A histogram whose bucket bounds are powers of two (bucket i counts values <= 2^i; the last
// bucket counts the larger ones), with plain counters: its owner synchronizes (the journal
// updates its histograms under its mutex and hands out copies). It carries the journal's fsync
// latency and batch sizes from persistence/ to the Prometheus exposition in net/metrics.cc;
// header-only and free of either layer, so both can include it (net/ may not depend on
// persistence/).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace credo {

template <std::size_t K>
struct Log2Histogram {
  static constexpr std::size_t kBounds = K;  // finite bounds 2^0 .. 2^(K-1)
  std::array<uint64_t, K + 1> buckets{};     // [K]: above 2^(K-1)
  uint64_t count = 0;
  uint64_t sum = 0;

  static constexpr std::size_t bucket_of(uint64_t v) {
    const auto i = v <= 1 ? std::size_t{0} : static_cast<std::size_t>(std::bit_width(v - 1));
    return i < K ? i : K;
  }
  static constexpr uint64_t bound(std::size_t i) { return uint64_t{1} << i; }
  void add(uint64_t v) {
    ++buckets[bucket_of(v)];
    ++count;
    sum += v;
  }
};

static_assert(Log2Histogram<4>::bucket_of(0) == 0 && Log2Histogram<4>::bucket_of(1) == 0 &&
              Log2Histogram<4>::bucket_of(2) == 1 && Log2Histogram<4>::bucket_of(3) == 2 &&
              Log2Histogram<4>::bucket_of(4) == 2 && Log2Histogram<4>::bucket_of(8) == 3 &&
              Log2Histogram<4>::bucket_of(9) == 4 && Log2Histogram<4>::bucket_of(~0ull) == 4);

using SyncMicrosHistogram = Log2Histogram<21>;    // fdatasync, in µs: 1 µs .. ~1 s, then more
using BatchRecordsHistogram = Log2Histogram<17>;  // records per group commit: 1 .. 65,536

}  // namespace credo

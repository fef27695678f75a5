// A fixed-size log-bucket latency histogram for the `stats` op: 4 sub-buckets per power of two
// (so a percentile is within 19% of the true value), 256 buckets covering 1 ns .. 2^64 ns.
// No allocation, O(1) record; percentile() walks the 256 counters. Not thread-safe: each
// histogram is owned by one thread (the I/O thread records and answers `stats`).
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace credo::net {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 2;
  static constexpr int kBuckets = 64 << kSubBits;

  void record(uint64_t value_ns) {
    counts_[bucket_of(value_ns)]++;
    count_++;
    if (value_ns > max_ns_) max_ns_ = value_ns;
  }

  uint64_t count() const { return count_; }
  uint64_t max_ns() const { return max_ns_; }

  // The upper bound of the bucket holding the q-quantile (0 < q <= 1); 0 when empty.
  uint64_t percentile_ns(double q) const {
    if (count_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(count_));
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (int b = 0; b < kBuckets; b++) {
      seen += counts_[b];
      if (seen >= rank) {
        uint64_t upper = upper_of(b);
        return upper < max_ns_ ? upper : max_ns_;
      }
    }
    return max_ns_;
  }

 private:
  // Values below 2^kSubBits get exact buckets; above, the bucket is (exponent, next 2 bits).
  static int bucket_of(uint64_t v) {
    if (v < (1u << kSubBits)) return static_cast<int>(v);
    int exp = 63 - std::countl_zero(v);  // >= kSubBits
    int sub = static_cast<int>((v >> (exp - kSubBits)) & ((1u << kSubBits) - 1));
    return ((exp - kSubBits + 1) << kSubBits) + sub;
  }
  static uint64_t upper_of(int b) {
    if (b < (1 << kSubBits)) return static_cast<uint64_t>(b);
    int exp = (b >> kSubBits) + kSubBits - 1;
    uint64_t sub = static_cast<uint64_t>(b & ((1 << kSubBits) - 1));
    uint64_t base = uint64_t{1} << exp;
    uint64_t step = base >> kSubBits;
    return base + (sub + 1) * step - 1;
  }

  std::array<uint64_t, kBuckets> counts_ = {};
  uint64_t count_ = 0;
  uint64_t max_ns_ = 0;
};

}  // namespace credo::net

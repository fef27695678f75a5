// ChunkedList: an append-only list for the many small-to-huge lists the engine keeps (orders
// per customer, per principal), stored in segments that double in size and never move.
// Segment 0 holds kFirst elements, segment k >= 1 holds kFirst * 2^(k-1), so after k + 1
// segments the capacity is kFirst * 2^k: memory stays within 2x of the size, as with
// std::vector, but growing allocates the next segment instead of copying everything (a
// std::vector of 4 M order indices copied 16 MiB into 32 freshly faulted MiB in one insert:
// 54 ms on the engine thread, measured by tests/stall, issue 12). Segments of 64 KiB and more
// come from BlockPool (huge pages, kTablePoolFrom) and are announced to the prefault thread
// when the last one is half full. Indexing is a shift, a bit_width and a subtraction. Trivially copyable T only.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "engine/huge_alloc.h"

namespace credo {

template <typename T>
class ChunkedList {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
  static constexpr std::size_t kFirstShift = 2;
  static constexpr std::size_t kFirst = std::size_t{1} << kFirstShift;

 public:
  ChunkedList() = default;
  ChunkedList(const ChunkedList&) = delete;
  ChunkedList& operator=(const ChunkedList&) = delete;
  ChunkedList(ChunkedList&& o) noexcept : segments_(std::move(o.segments_)), size_(o.size_) {
    o.segments_.clear();
    o.size_ = 0;
  }
  ChunkedList& operator=(ChunkedList&& o) noexcept {
    if (this != &o) {
      release();
      segments_ = std::move(o.segments_);
      size_ = o.size_;
      o.segments_.clear();
      o.size_ = 0;
    }
    return *this;
  }
  ~ChunkedList() { release(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t i) const { return segments_[segment_of(i)][offset_of(i)]; }
  T& operator[](std::size_t i) { return segments_[segment_of(i)][offset_of(i)]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void push_back(const T& v) {
    if (size_ == capacity(segments_.size())) add_segment();
    (*this)[size_++] = v;
    // Half way through a big last segment: the prefault thread prepares the next one.
    const std::size_t n = segments_.size();
    if (n >= 2 && size_ == capacity(n - 1) + segment_size(n - 1) / 2 &&
        segment_size(n) * sizeof(T) >= kTablePoolFrom)
      BlockPool::instance().expect(pool_bytes(segment_size(n) * sizeof(T)));
  }
  void clear() { release(); }

  // Elements in segment k.
  static constexpr std::size_t segment_size(std::size_t k) {
    return k == 0 ? kFirst : kFirst << (k - 1);
  }
  // Elements in segments 0 .. n-1.
  static constexpr std::size_t capacity(std::size_t n) { return n == 0 ? 0 : kFirst << (n - 1); }
  static constexpr std::size_t segment_of(std::size_t i) {
    return static_cast<std::size_t>(std::bit_width(i >> kFirstShift));
  }
  static constexpr std::size_t offset_of(std::size_t i) {
    return i - capacity(segment_of(i));
  }

 private:
  void add_segment() {
    segments_.push_back(
        static_cast<T*>(alloc_zeroed(segment_size(segments_.size()) * sizeof(T), kTablePoolFrom)));
  }
  void release() {
    for (std::size_t k = 0; k < segments_.size(); ++k)
      free_zeroed(segments_[k], segment_size(k) * sizeof(T), kTablePoolFrom);
    segments_.clear();
    segments_.shrink_to_fit();
    size_ = 0;
  }

  std::vector<T*> segments_;
  std::size_t size_ = 0;
};

static_assert(ChunkedList<int>::segment_of(0) == 0 && ChunkedList<int>::segment_of(3) == 0 &&
              ChunkedList<int>::segment_of(4) == 1 && ChunkedList<int>::segment_of(7) == 1 &&
              ChunkedList<int>::segment_of(8) == 2 && ChunkedList<int>::offset_of(8) == 0 &&
              ChunkedList<int>::offset_of(15) == 7 && ChunkedList<int>::segment_of(16) == 3 &&
              ChunkedList<int>::capacity(3) == 16);

}  // namespace credo

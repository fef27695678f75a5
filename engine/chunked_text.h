// ChunkedText: an append-only byte arena (the state's free text, an id table's keys) that grows
// by 4 MiB blocks and never copies, unlike the std::string it replaces, whose doubling copied
// the whole arena on the engine thread.
//
// Offsets are logical: byte i of the arena is byte i of one contiguous stream, exactly as in a
// std::string, so Text{offset, len} records and the serialized arena are unchanged. Any piece
// up to kMaxView bytes reads as one contiguous string_view: block k holds the logical bytes
// [k * kStride, k * kStride + kChunkBytes), i.e. its last kMaxView bytes repeat the start of
// block k + 1, and an append writes those bytes to both.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "engine/huge_alloc.h"

namespace credo {

class ChunkedText {
 public:
  // The longest piece that reads back as one view: more than any key or text the engine keeps
  // (engine/limits.h: kMaxKeyLen, kMaxTextLen).
  static constexpr std::size_t kMaxView = std::size_t{64} << 10;
  static constexpr std::size_t kStride = kChunkBytes - kMaxView;

  ChunkedText() = default;
  ChunkedText(const ChunkedText&) = delete;
  ChunkedText& operator=(const ChunkedText&) = delete;
  ChunkedText(ChunkedText&& o) noexcept : blocks_(std::move(o.blocks_)), size_(o.size_) {
    o.size_ = 0;
  }
  ChunkedText& operator=(ChunkedText&& o) noexcept {
    if (this != &o) {
      release();
      blocks_ = std::move(o.blocks_);
      size_ = o.size_;
      o.size_ = 0;
    }
    return *this;
  }
  ~ChunkedText() { release(); }

  uint64_t size() const { return size_; }

  // Appends `s` (any length); returns its offset.
  uint64_t append(std::string_view s) {
    const uint64_t at = size_;
    const uint64_t end = at + s.size();
    if (s.empty()) return at;
    while (blocks_.size() <= (end - 1) / kStride)
      blocks_.push_back(static_cast<char*>(BlockPool::instance().take_chunk()));
    // Every block whose range [k * kStride, k * kStride + kChunkBytes) meets [at, end).
    const uint64_t first = at < kChunkBytes ? 0 : (at - kChunkBytes) / kStride + 1;
    for (uint64_t k = first; k * kStride < end; ++k) {
      const uint64_t lo = std::max(at, k * kStride);
      const uint64_t hi = std::min(end, k * kStride + kChunkBytes);
      std::memcpy(blocks_[k] + (lo - k * kStride), s.data() + (lo - at), hi - lo);
    }
    size_ = end;
    return at;
  }

  // The piece at [offset, offset + len); len <= kMaxView, within size().
  std::string_view view(uint64_t offset, uint64_t len) const {
    if (len == 0) return {};
    return {blocks_[offset / kStride] + offset % kStride, len};
  }

  // Calls f(const char*, size) for the whole stream in order (the serializer's writer).
  template <typename F>
  void for_each_piece(F&& f) const {
    for (uint64_t k = 0; k * kStride < size_; ++k)
      f(blocks_[k], std::min(kStride, size_ - k * kStride));
  }

 private:
  void release() {
    for (char* b : blocks_) BlockPool::instance().give_chunk(b);
    blocks_.clear();
    size_ = 0;
  }

  std::vector<char*> blocks_;
  uint64_t size_ = 0;
};

}  // namespace credo

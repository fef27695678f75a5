// ChunkedVector: an append-mostly array stored in fixed-size chunks of 4 MiB (huge pages), for
// the tables that grow with every order (orders, lines, reasons, events, invoices, ledger, the
// id tables' entries). Chunks come from BlockPool (engine/huge_alloc.h), pre-faulted when a
// prefault thread runs.
// Growing never copies or re-zeroes what is already there, unlike std::vector's doubling, which
// on a table of millions of orders stalls the engine thread for a whole copy (measured: the
// order-table doublings were the worst rounds of bench/engine_bench, see bench/README.md).
// Indexing is a division by a constant. Only for trivially copyable element types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <type_traits>
#include <vector>

#include "engine/huge_alloc.h"

namespace credo {

template <typename T>
class ChunkedVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

  // Elements per chunk: as many as fill 4 MiB, i.e. two whole huge pages (a power-of-two
  // count would leave most chunks a partial huge page, served in 4 KiB pages). Indexing divides
  // by this constant, which compiles to a multiply and a shift.
  static constexpr std::size_t kChunk = kChunkBytes / sizeof(T);

 public:
  static constexpr std::size_t chunk_size() { return kChunk; }
  ChunkedVector() = default;
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ChunkedVector(ChunkedVector&& o) noexcept
      : chunks_(std::move(o.chunks_)), size_(o.size_), floor_(o.floor_) {
    o.size_ = 0;
    o.floor_ = 0;
  }
  ChunkedVector& operator=(ChunkedVector&& o) noexcept {
    if (this != &o) {
      release();
      chunks_ = std::move(o.chunks_);
      size_ = o.size_;
      floor_ = o.floor_;
      o.size_ = 0;
      o.floor_ = 0;
    }
    return *this;
  }
  ~ChunkedVector() { release(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void push_back(const T& v) {
    if (size_ == chunks_.size() * kChunk) add_chunk();
    (*this)[size_++] = v;
  }
  T& emplace_back() {
    push_back(T{});
    return back();
  }
  template <typename It>
  void append(It first, It last) {
    for (; first != last; ++first) push_back(*first);
  }
  // Grows with value-initialized elements or shrinks (keeping the chunks).
  void resize(std::size_t n) {
    while (size_ < n) push_back(T{});
    size_ = n;
  }
  void clear() { size_ = 0; }

  // ---- a released prefix (closed orders' detail past the retention window, engine/archive.cc)
  // The elements below floor() are gone: whole chunks below it are given back to the pool, and
  // no caller may read an element below it again (the state says which ones are gone).
  std::size_t floor() const { return floor_; }
  // Raises the floor to `n` (at most size()) and gives back every chunk wholly below it.
  void release_below(std::size_t n) {
    n = n < size_ ? n : size_;
    if (n <= floor_) return;
    for (std::size_t c = floor_ / kChunk; c < n / kChunk; ++c) {
      if (chunks_[c] == nullptr) continue;
      BlockPool::instance().give_chunk(chunks_[c]);
      chunks_[c] = nullptr;
    }
    floor_ = n;
  }
  // An empty vector made to start at element `n` (loading an image whose prefix was released):
  // size() and floor() become n and only the chunk holding element n is allocated.
  void start_at(std::size_t n) {
    release();
    chunks_.assign(n / kChunk, nullptr);
    add_chunk();
    size_ = floor_ = n;
  }
  // Pre-allocates chunks for `n` elements in all and touches them, so that the page faults
  // (and the hypervisor's first-touch cost) are paid now rather than on the hot path.
  void reserve(std::size_t n) {
    while (chunks_.size() * kChunk < n) {
      add_chunk();
      std::memset(static_cast<void*>(chunks_.back()), 0, kChunk * sizeof(T));
    }
  }

  template <bool Const>
  class Iter {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<Const, const T*, T*>;
    using reference = std::conditional_t<Const, const T&, T&>;
    using Owner = std::conditional_t<Const, const ChunkedVector, ChunkedVector>;
    Iter() = default;
    Iter(Owner* v, std::size_t i) : v_(v), i_(i) {}
    reference operator*() const { return (*v_)[i_]; }
    pointer operator->() const { return &(*v_)[i_]; }
    reference operator[](difference_type n) const { return (*v_)[i_ + n]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    Iter operator++(int) {
      Iter t = *this;
      ++i_;
      return t;
    }
    Iter& operator--() {
      --i_;
      return *this;
    }
    Iter operator--(int) {
      Iter t = *this;
      --i_;
      return t;
    }
    Iter& operator+=(difference_type n) {
      i_ += n;
      return *this;
    }
    Iter& operator-=(difference_type n) {
      i_ -= n;
      return *this;
    }
    Iter operator+(difference_type n) const { return Iter(v_, i_ + n); }
    friend Iter operator+(difference_type n, Iter it) { return it + n; }
    Iter operator-(difference_type n) const { return Iter(v_, i_ - n); }
    difference_type operator-(const Iter& o) const {
      return static_cast<difference_type>(i_) - static_cast<difference_type>(o.i_);
    }
    bool operator==(const Iter& o) const { return i_ == o.i_; }
    auto operator<=>(const Iter& o) const { return i_ <=> o.i_; }

   private:
    Owner* v_ = nullptr;
    std::size_t i_ = 0;
  };
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;
  iterator begin() { return iterator(this, 0); }
  iterator end() { return iterator(this, size_); }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }

 private:
  void add_chunk() { chunks_.push_back(static_cast<T*>(BlockPool::instance().take_chunk())); }
  void release() {
    for (T* c : chunks_)
      if (c != nullptr) BlockPool::instance().give_chunk(c);
    chunks_.clear();
    size_ = 0;
    floor_ = 0;
  }

  std::vector<T*> chunks_;
  std::size_t size_ = 0;
  std::size_t floor_ = 0;  // elements below it are released (release_below)
};

}  // namespace credo

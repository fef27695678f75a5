// A FIFO of a connection's request slots that reuses its storage: a ring over a vector that
// doubles when full and never shrinks. std::deque allocated a block for every slot (a slot is
// larger than libstdc++'s 512-byte block) and freed it again at pop_front: one allocation per
// request on the server's hot path (tests/server_alloc).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace credo::net {

template <typename T>
class SlotRing {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  // Appends a value-initialized slot (a reused one is reset) and returns it.
  T& emplace_back() {
    if (size_ == items_.size()) grow();
    T& t = items_[(head_ + size_) & (items_.size() - 1)];
    t = T{};
    size_++;
    return t;
  }
  T& front() { return items_[head_]; }
  T& back() { return items_[(head_ + size_ - 1) & (items_.size() - 1)]; }
  T& operator[](std::size_t i) { return items_[(head_ + i) & (items_.size() - 1)]; }
  void pop_front() {
    head_ = (head_ + 1) & (items_.size() - 1);
    size_--;
  }
  void clear() {
    for (T& t : items_) t = T{};  // drop what the slots hold (answers, buffers) now
    head_ = 0;
    size_ = 0;
  }

 private:
  void grow() {
    std::vector<T> bigger(items_.empty() ? 8 : 2 * items_.size());  // a power of two
    for (std::size_t i = 0; i < size_; i++) bigger[i] = std::move((*this)[i]);
    items_.swap(bigger);
    head_ = 0;
  }

  std::vector<T> items_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace credo::net

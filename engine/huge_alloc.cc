#include "engine/huge_alloc.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace credo {

BlockPool& BlockPool::instance() {
  static BlockPool pool;
  return pool;
}

void* BlockPool::map(std::size_t bytes) {
  // Over-map by one huge page and trim, so the block starts on a 2 MiB boundary (the kernel
  // backs only aligned 2 MiB ranges with huge pages). Fresh anonymous memory reads as zeros.
  const std::size_t span = bytes + kHugePage;
  void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  char* const base = static_cast<char*>(raw);
  const std::size_t skip =
      (kHugePage - reinterpret_cast<uintptr_t>(raw) % kHugePage) % kHugePage;
  if (skip > 0) ::munmap(base, skip);
  char* const p = base + skip;
  if (span > skip + bytes) ::munmap(p + bytes, span - skip - bytes);
  ::madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure is harmless
  return p;
}

void BlockPool::unmap(void* p, std::size_t bytes) { ::munmap(p, bytes); }

void BlockPool::touch(void* p, std::size_t bytes) {
  // One write per small page faults the whole block in (a huge page at its first write); a
  // volatile store of zero keeps the content and cannot be optimized away.
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  auto* b = static_cast<volatile char*>(p);
  for (std::size_t i = 0; i < bytes; i += page) b[i] = 0;
}

namespace {
template <typename V, typename X>
bool erase_one(V& v, const X& x) {
  auto it = std::find(v.begin(), v.end(), x);
  if (it == v.end()) return false;
  v.erase(it);
  return true;
}
}  // namespace

void* BlockPool::take(std::size_t bytes) {
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(ready_.begin(), ready_.end(),
                           [bytes](const Block& b) { return b.bytes == bytes; });
    if (it != ready_.end()) {
      void* p = it->p;
      ready_.erase(it);
      prefaulted_.fetch_add(1, std::memory_order_relaxed);
      wake_.notify_one();  // refill
      return p;
    }
    // Too late for an expected block: map one now, and do not let the late one linger (a
    // doubled id table is never asked for twice). Chunks are always wanted.
    if (bytes != kChunkBytes && !erase_one(expected_, bytes) &&
        std::count(preparing_.begin(), preparing_.end(), bytes) >
            std::count(unwanted_.begin(), unwanted_.end(), bytes))
      unwanted_.push_back(bytes);
  }
  fresh_.fetch_add(1, std::memory_order_relaxed);
  return map(bytes);
}

void* BlockPool::take_chunk() {
  {
    std::lock_guard lock(mu_);
    if (!recycled_.empty()) {
      void* p = recycled_.back();
      recycled_.pop_back();
      return p;
    }
  }
  return take(kChunkBytes);
}

void BlockPool::give_chunk(void* p) {
  {
    std::lock_guard lock(mu_);
    if (recycled_.size() < kMaxRecycled) {
      recycled_.push_back(p);
      return;
    }
  }
  give(p, kChunkBytes);
}

void BlockPool::trim() {
  std::vector<void*> kept;
  {
    std::lock_guard lock(mu_);
    kept.swap(recycled_);
  }
  for (void* p : kept) give(p, kChunkBytes);
}

void BlockPool::give(void* p, std::size_t bytes) {
  {
    std::lock_guard lock(mu_);
    if (servers_ > 0) {
      to_unmap_.push_back({p, bytes});
      wake_.notify_one();
      return;
    }
  }
  unmap(p, bytes);
}

void BlockPool::expect(std::size_t bytes) {
  std::lock_guard lock(mu_);
  if (servers_ == 0) return;
  expected_.push_back(bytes);
  wake_.notify_one();
}

std::size_t BlockPool::next_to_prepare() const {
  if (!expected_.empty()) return expected_.front();
  const auto chunks = [](const auto& v, auto size_of) {
    return static_cast<std::size_t>(
        std::count_if(v.begin(), v.end(), [&](const auto& x) { return size_of(x) == kChunkBytes; }));
  };
  const std::size_t spare = chunks(ready_, [](const Block& b) { return b.bytes; }) +
                            chunks(preparing_, [](std::size_t b) { return b; });
  return spare < spare_chunks_ ? kChunkBytes : 0;
}

void BlockPool::serve(std::size_t spare_chunks, const std::atomic<bool>& stop) {
  std::unique_lock lock(mu_);
  ++servers_;
  spare_chunks_ = std::max(spare_chunks_, spare_chunks);
  while (!stop.load()) {
    if (!to_unmap_.empty()) {
      const Block b = to_unmap_.back();
      to_unmap_.pop_back();
      lock.unlock();
      unmap(b.p, b.bytes);
      lock.lock();
      continue;
    }
    const std::size_t bytes = next_to_prepare();
    if (bytes == 0) {
      // Woken by take/give/expect/wake; the timeout is only a safety net.
      wake_.wait_for(lock, std::chrono::milliseconds(100));
      continue;
    }
    erase_one(expected_, bytes);
    preparing_.push_back(bytes);
    lock.unlock();
    void* p = map(bytes);
    touch(p, bytes);
    lock.lock();
    erase_one(preparing_, bytes);
    if (erase_one(unwanted_, bytes)) {
      lock.unlock();
      unmap(p, bytes);
      lock.lock();
    } else {
      ready_.push_back({p, bytes});
    }
  }
  // The last server gone, blocks given back are unmapped by whoever gives them and nothing is
  // prepared any more; the ready ones stay ready for a later take.
  if (--servers_ == 0) {
    for (const Block& b : to_unmap_) unmap(b.p, b.bytes);
    to_unmap_.clear();
    expected_.clear();
  }
}

void BlockPool::wake() {
  std::lock_guard lock(mu_);
  wake_.notify_all();
}

}  // namespace credo

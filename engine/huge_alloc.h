// An allocator for the engine's big, ever-growing tables (orders, lines, events, ...): blocks
// of 2 MiB or more are aligned to 2 MiB and advised as transparent huge pages, so that growing
// the state costs one page fault per 2 MiB instead of one per 4 KiB. On this project's VMs a
// page fault is the single largest cost of recording an order (measured: bench/README.md).
// It changes where memory lives, never what the state is: determinism is unaffected.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace credo {

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHuge = std::size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  // Implicit on purpose: the Allocator requirements need the rebinding conversion (containers
  // convert allocator<T> to allocator<Node>).
  // NOLINTNEXTLINE(google-explicit-constructor)
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHuge) {
      if (void* p = std::malloc(bytes)) return static_cast<T*>(p);
      throw std::bad_alloc();
    }
    const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (!p) throw std::bad_alloc();
    ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure is harmless
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) { std::free(p); }

  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

template <typename T>
using BigVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace credo

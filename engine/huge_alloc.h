// Memory for the engine's big, ever-growing tables (orders, lines, events, id tables, text).
//
// Blocks of 2 MiB and more come from BlockPool: 2 MiB-aligned, advised as transparent huge
// pages, zeroed (take) or recycled (take_chunk, for tables that write before they read).
// Growing the state then costs one page fault per 2 MiB instead of one per 4 KiB, and a zeroed
// block needs no initializing pass (an empty id-table slot is all zeros). On this project's
// VMs the kernel's zeroing of fresh pages was the largest single cost of recording an order
// (issue 12: 14 % of server CPU in clear_page_erms on the engine thread), so a server also runs
// a prefault thread (engine/prefault_thread.h) that touches blocks ahead of need and unmaps the
// ones given back: the engine thread then neither faults nor unmaps.
// Without that thread (tests, benchmarks, tools) blocks are mapped and unmapped on the spot.
// It changes where memory lives, never what the state is: determinism is unaffected.
#pragma once

#include <sys/mman.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace credo {

inline constexpr std::size_t kHugePage = std::size_t{2} << 20;
// The block every chunked table grows by (engine/chunked_vector.h): two whole huge pages.
inline constexpr std::size_t kChunkBytes = std::size_t{4} << 20;

// Process-wide: the engine's tables take and give blocks from any engine on any thread (one
// mutex, taken once per 4 MiB of growth, never contended in the hot path).
class BlockPool {
 public:
  static BlockPool& instance();

  // A zeroed block of `bytes` (a multiple of 2 MiB): pre-faulted when the prefault thread has
  // one ready, else freshly mapped (the kernel then zeroes each huge page at first touch).
  void* take(std::size_t bytes);
  // Returns a block from take(); unmapped by the prefault thread if one runs, else here.
  void give(void* p, std::size_t bytes);
  // A chunk (kChunkBytes) whose content does not matter: a recycled one if any (engines come
  // and go by the thousand in the tests and on recovery, and mapping plus zeroing a fresh huge
  // page for every small table of every engine would dominate), else as take().
  void* take_chunk();
  // Returns a chunk from take_chunk(): kept for reuse up to kMaxRecycled, else as give().
  void give_chunk(void* p);
  // Gives back (as give()) the chunks kept for reuse: memory_bench measures the resident set
  // without them.
  void trim();
  // A block of `bytes` will be taken soon: the prefault thread prepares one (a growing id
  // table announces its next, doubled slot table this way). No effect without the thread.
  void expect(std::size_t bytes);

  // The prefault thread's loop (engine/prefault_thread.h runs it): keeps `spare_chunks`
  // pre-faulted chunk blocks ready, prepares what was expected, unmaps what was given, until
  // `stop` is set and wake() called. Several servers in one process may each run one.
  void serve(std::size_t spare_chunks, const std::atomic<bool>& stop);
  void wake();

  // Blocks handed out pre-faulted vs mapped on the spot (for tests and the bench).
  uint64_t taken_prefaulted() const { return prefaulted_.load(std::memory_order_relaxed); }
  uint64_t taken_fresh() const { return fresh_.load(std::memory_order_relaxed); }

 private:
  struct Block {
    void* p;
    std::size_t bytes;
  };
  static void* map(std::size_t bytes);
  static void unmap(void* p, std::size_t bytes);
  static void touch(void* p, std::size_t bytes);
  // Under mu_: the next block to prepare, or 0.
  std::size_t next_to_prepare() const;

  std::mutex mu_;
  std::condition_variable wake_;
  int servers_ = 0;  // threads in serve()
  std::size_t spare_chunks_ = 0;
  std::vector<Block> ready_;            // pre-faulted, waiting to be taken
  std::vector<std::size_t> expected_;   // sizes asked for by expect(), not yet prepared
  std::vector<Block> to_unmap_;         // given back while a thread serves
  std::vector<std::size_t> preparing_;  // sizes being prepared now
  std::vector<std::size_t> unwanted_;   // of those, sizes take() already went without
  static constexpr std::size_t kMaxRecycled = 64;  // 256 MiB
  std::vector<void*> recycled_;         // chunks given back, content undefined
  std::atomic<uint64_t> prefaulted_{0};
  std::atomic<uint64_t> fresh_{0};
};

// Zeroed memory of any size for one table: sizes below `pool_from` from calloc, bigger ones
// from the pool, rounded up to whole huge pages (pool_bytes). The id tables and lists pass a
// lower `pool_from` (kTablePoolFrom) than the default: on this project's VMs a 4 KiB page fault
// costs ~10 us, so calloc's 256 KiB-1 MiB tables cost 1-4 ms of faults on the engine thread
// when they double (measured by tests/stall at 8,192-32,768 orders); from the pool they come
// pre-faulted, for at most 2 MiB of memory each.
inline constexpr std::size_t kTablePoolFrom = std::size_t{64} << 10;
inline constexpr std::size_t pool_bytes(std::size_t bytes) {
  return (bytes + kHugePage - 1) / kHugePage * kHugePage;
}
inline void* alloc_zeroed(std::size_t bytes, std::size_t pool_from = kHugePage) {
  if (bytes < pool_from) {
    if (void* p = std::calloc(1, bytes)) return p;
    throw std::bad_alloc();
  }
  return BlockPool::instance().take(pool_bytes(bytes));
}
// `bytes` and `pool_from` as given to alloc_zeroed.
inline void free_zeroed(void* p, std::size_t bytes, std::size_t pool_from = kHugePage) {
  if (!p) return;
  if (bytes < pool_from)
    std::free(p);
  else
    BlockPool::instance().give(p, pool_bytes(bytes));
}

// For the tables still held in a std::vector (customers, products: they grow with master data,
// not with orders): big allocations are huge-page aligned and advised.
template <typename T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  // Implicit on purpose: the Allocator requirements need the rebinding conversion (containers
  // convert allocator<T> to allocator<Node>).
  // NOLINTNEXTLINE(google-explicit-constructor)
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) {
      if (void* p = std::malloc(bytes)) return static_cast<T*>(p);
      throw std::bad_alloc();
    }
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
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

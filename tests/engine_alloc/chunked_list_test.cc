// ChunkedList (engine/chunked_list.h): what is pushed reads back at the same index across
// segment boundaries, big segments come from the block pool, and moving or clearing a list
// leaves no element behind.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

#include "engine/chunked_list.h"

namespace credo {
namespace {

TEST(ChunkedList, EveryElementReadsBackAcrossSegmentsOfDoublingSize) {
  ChunkedList<uint32_t> list;
  // 300,000 elements: segments of 4, 4, 8, ... up to 262,144, the big ones (from 64 KiB) from
  // the pool.
  constexpr uint32_t kCount = 300'000;
  for (uint32_t i = 0; i < kCount; ++i) list.push_back(i * 7 + 1);
  ASSERT_EQ(list.size(), kCount);
  for (uint32_t i = 0; i < kCount; ++i) ASSERT_EQ(list[i], i * 7 + 1) << "index " << i;
  EXPECT_EQ(list.back(), (kCount - 1) * 7 + 1);
  // Boundaries: the first index of each segment is the capacity of the ones before it.
  for (std::size_t k = 1; k < 20; ++k) {
    const std::size_t first = ChunkedList<uint32_t>::capacity(k);
    EXPECT_EQ(ChunkedList<uint32_t>::segment_of(first), k);
    EXPECT_EQ(ChunkedList<uint32_t>::offset_of(first), 0u);
    EXPECT_EQ(ChunkedList<uint32_t>::segment_of(first - 1), k - 1);
    EXPECT_EQ(ChunkedList<uint32_t>::offset_of(first - 1),
              ChunkedList<uint32_t>::segment_size(k - 1) - 1);
  }
}

TEST(ChunkedList, MovingTakesTheElementsAndClearingEmpties) {
  ChunkedList<uint32_t> a;
  for (uint32_t i = 0; i < 1000; ++i) a.push_back(i);
  ChunkedList<uint32_t> b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the moved-from state is defined
  ASSERT_EQ(b.size(), 1000u);
  EXPECT_EQ(b[999], 999u);
  a = std::move(b);
  EXPECT_EQ(a.size(), 1000u);
  EXPECT_EQ(a[500], 500u);
  a.clear();
  EXPECT_TRUE(a.empty());
  a.push_back(42);  // usable again after clear
  EXPECT_EQ(a[0], 42u);
}

}  // namespace
}  // namespace credo

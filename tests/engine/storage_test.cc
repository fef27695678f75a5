// The engine's growable storage (issue 12): the text arena reads back every piece whole across
// chunk boundaries and serializes as one contiguous stream; the id table finds every key while
// its slot table is being rehashed incrementally, and after; zeroed blocks come pre-faulted
// from a serving BlockPool.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "engine/chunked_text.h"
#include "engine/huge_alloc.h"
#include "engine/interner.h"
#include "engine/prefault_thread.h"

namespace credo {
namespace {

std::string piece(uint64_t i, std::size_t len) {
  std::string s(len, ' ');
  for (std::size_t k = 0; k < len; ++k) s[k] = static_cast<char>('!' + (i * 31 + k) % 90);
  return s;
}

TEST(ChunkedTextTest, PiecesAcrossChunkBoundariesReadBackWholeAndInOrder) {
  ChunkedText t;
  std::string flat;  // what the std::string arena held
  std::vector<std::pair<uint64_t, std::size_t>> at;
  // ~3 blocks of pieces from 1 byte to kMaxView, so many straddle a stride boundary.
  for (uint64_t i = 0; flat.size() < 3 * kChunkBytes; ++i) {
    const std::size_t len = i % 97 == 0 ? ChunkedText::kMaxView : 1 + (i * 7919) % 1500;
    const std::string s = piece(i, len);
    EXPECT_EQ(t.append(s), flat.size());
    at.emplace_back(flat.size(), len);
    flat += s;
  }
  ASSERT_EQ(t.size(), flat.size());
  for (const auto& [offset, len] : at)
    ASSERT_EQ(t.view(offset, len), std::string_view(flat).substr(offset, len)) << offset;
  std::string stream;
  t.for_each_piece([&](const char* p, std::size_t n) { stream.append(p, n); });
  EXPECT_EQ(stream, flat);
  // One big append (a state image's arena being loaded) reads back the same.
  ChunkedText loaded;
  loaded.append(flat);
  for (const auto& [offset, len] : at) ASSERT_EQ(loaded.view(offset, len), t.view(offset, len));
}

TEST(InternerTest, EveryKeyIsFoundWhileAndAfterTheTableIsRehashedIncrementally) {
  Interner in;
  constexpr uint32_t kKeys = 300'000;  // past several doublings, each drained over many interns
  uint32_t wrong_guesses = 0;
  for (uint32_t i = 0; i < kKeys; ++i) {
    const std::string k = "PO-" + std::to_string(i);
    ASSERT_EQ(in.intern(k), i);
    // An earlier key, possibly still only in the table being drained, keeps its id.
    const uint32_t j = static_cast<uint32_t>((uint64_t{i} * 2654435761u) % (i + 1));
    ASSERT_EQ(in.intern("PO-" + std::to_string(j)), j);
    ASSERT_EQ(in.find("PO-" + std::to_string(j)), j);
    ASSERT_EQ(in.find("NO-" + std::to_string(i)), Interner::kNone);
    // The cache hint's guess (tags only, no key compared) names the same id for a present key,
    // from either table while the old one drains, unless an earlier key has the same 32-bit
    // tag: among 300,000 keys about n^2 / 2^33 = 10 pairs do.
    wrong_guesses += in.guess("PO-" + std::to_string(j)) != j;
    in.prefetch("PO-" + std::to_string(i));
  }
  ASSERT_EQ(in.size(), kKeys);
  EXPECT_LT(wrong_guesses, 100u);
  for (uint32_t i = 0; i < kKeys; ++i) {
    ASSERT_EQ(in.find("PO-" + std::to_string(i)), i);
    ASSERT_EQ(in.view(i), "PO-" + std::to_string(i));
  }
  Interner moved = std::move(in);
  EXPECT_EQ(moved.find("PO-12345"), 12345u);
  moved.reserve(2 * kKeys, 0);  // grows and drains at once
  EXPECT_EQ(moved.find("PO-299999"), 299'999u);
  EXPECT_EQ(moved.intern("new"), kKeys);
}

TEST(BlockPoolTest, AServingPoolHandsOutPrefaultedZeroedBlocks) {
  BlockPool& pool = BlockPool::instance();
  const PrefaultThread server(2, /*nice=*/0);  // as the stall test: CI keeps both CPUs busy
  const uint64_t before = pool.taken_prefaulted();
  bool prefaulted = false;
  for (int tries = 0; tries < 200 && !prefaulted; ++tries) {
    void* p = pool.take(kChunkBytes);
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < kChunkBytes; i += 4096) ASSERT_EQ(b[i], 0);
    static_cast<char*>(p)[100] = 1;  // dirtied, then given back: never handed out again
    pool.give(p, kChunkBytes);
    prefaulted = pool.taken_prefaulted() > before;
    if (!prefaulted) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(prefaulted);
}

}  // namespace
}  // namespace credo

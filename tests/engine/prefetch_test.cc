// Engine::prefetch (engine/engine.h): cache hints only. Two engines fed the same commands, one
// given every hint a batch loop gives and stale and wrong ones besides, must stay identical:
// the same answers, the same state hash after every command.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/engine/world.h"

namespace credo::test {
namespace {

// A random order: mostly known customers and skus, some unknown ones (rejected or refused),
// client order ids that repeat (duplicates answered from the first order), no id at all.
OrderRequest random_order(std::mt19937_64& rng) {
  OrderRequest r;
  const auto pick = [&](uint64_t n) { return rng() % n; };
  r.customer = Key::of("C" + std::to_string(pick(44)));  // C40..C43 do not exist
  if (pick(8) != 0) r.client_order_id = Key::of("PO-" + std::to_string(pick(600)));
  const uint64_t lines = 1 + pick(4);
  for (uint64_t l = 0; l < lines; ++l)
    r.lines.push_back(LineRequest{Key::of("P" + std::to_string(pick(22))),
                                  static_cast<Qty>(1 + pick(5)), std::nullopt});
  return r;
}

TEST(PrefetchTest, HintsChangeNothingEvenWhenStaleOrWrong) {
  const uint64_t seed = 20261207;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  World hinted, plain;
  for (World* w : {&hinted, &plain}) {
    for (int c = 0; c < 40; ++c)
      w->customer("C" + std::to_string(c)).grade(Grade::A).limit(c % 5 == 0 ? 5'000 : 10'000'000);
    for (int p = 0; p < 20; ++p) w->product("P" + std::to_string(p)).price(100 + p).stock(400);
  }

  std::vector<CommandBody> commands;
  for (int i = 0; i < 3000; ++i) {
    if (i % 50 == 49) {
      SubmitOrders batch;
      for (int k = 0; k < 20; ++k) batch.orders.push_back(random_order(rng));
      commands.emplace_back(std::move(batch));
    } else if (i % 7 == 6) {
      // Order numbers start at 100001: some of these exist, some are closed, some not yet.
      commands.emplace_back(CancelOrder{100001 + rng() % (i + 1), "changed"});
    } else {
      commands.emplace_back(SubmitOrder{random_order(rng)});
    }
  }
  const CommandBody stranger = SubmitOrder{random_order(rng)};  // never applied

  using Stage = Engine::PrefetchStage;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    // What a batch loop does, and hints that the commands in between made stale.
    Engine::prefetch_ahead(i, commands.size(), [&](std::size_t j, Stage stage) {
      hinted.engine.prefetch(commands[j], stage);
    });
    hinted.engine.prefetch(commands[i], Stage::records);
    hinted.engine.prefetch(stranger, Stage::index);
    hinted.engine.prefetch(stranger, Stage::records);

    const Result a = hinted.apply(commands[i], rep(0));
    const Result b = plain.apply(commands[i], rep(0));
    ASSERT_EQ(a.error.code, b.error.code) << "command " << i;
    ASSERT_EQ(a.error.message, b.error.message) << "command " << i;
    ASSERT_EQ(hinted.engine.state_hash(), plain.engine.state_hash()) << "command " << i;
  }
  // The run did what it meant to: orders of each kind, and duplicates among them.
  const EngineCounts counts = plain.engine.counts();
  EXPECT_GT(counts.orders, 1000u);
  EXPECT_EQ(hinted.engine.check_invariants(true), "");
}

}  // namespace
}  // namespace credo::test

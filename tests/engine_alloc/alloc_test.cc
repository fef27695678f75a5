// The hot path allocates nothing in steady state: once the engine has room (Engine::reserve)
// and the Command/Result objects are reused, deciding and recording orders, quoting and
// paying make no heap allocation. Counted by replacing the global operator new
// (tests/common/alloc_counter.h).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "engine/engine.h"
#include "tests/common/alloc_counter.h"

namespace credo {
namespace {

constexpr TimeMs kStart = 1'795'428'000'000;  // 2026-11-23T10:00:00Z

Key numbered(const char* prefix, int i) {
  return Key::of(prefix + std::to_string(i));
}

class AllocTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Command c{0, kStart, admin_, {}};
    for (int i = 0; i < 100; ++i) {
      UpsertCustomer u;
      u.customer = numbered("C", i);
      u.grade = Grade::A;
      u.credit_limit = 1'000'000'000'000;
      c.body = u;
      engine_.apply(c, result_);
      ASSERT_TRUE(result_.ok());
    }
    for (int i = 0; i < 50; ++i) {
      UpsertProduct u;
      u.sku = numbered("SKU", i);
      u.price = 1000;
      u.floor_price = 500;
      u.on_hand = 1'000'000'000'000;
      c.body = u;
      engine_.apply(c, result_);
      ASSERT_TRUE(result_.ok());
    }
    engine_.reserve(kOrders + 1000);
  }

  static constexpr int kOrders = 20'000;
  Principal admin_{Key::of("ops"), kRoleAdmin, 3};
  Principal rep_{Key::of("rep"), kRoleOrder, 0};
  Engine engine_;
  Result result_;
};

// The counter itself works (else the tests below could not fail).
TEST_F(AllocTest, CounterSeesAllocations) {
  const uint64_t before = test::allocations();
  auto* v = new std::vector<int>(100);
  EXPECT_GE(test::allocations() - before, 2u);
  delete v;
}

TEST_F(AllocTest, SubmittingOrdersAllocatesNothingInSteadyState) {
  Command c{0, kStart, rep_, SubmitOrder{}};
  OrderRequest& req = std::get<SubmitOrder>(c.body).order;
  req.lines.resize(3);
  std::vector<Key> coids;
  for (int i = 0; i < kOrders; ++i) coids.push_back(numbered("PO", i));
  auto submit = [&](int i) {
    req.customer = numbered("C", i % 100);
    req.client_order_id = coids[static_cast<std::size_t>(i)];
    for (int l = 0; l < 3; ++l) {
      req.lines[static_cast<std::size_t>(l)].sku = numbered("SKU", (i + l * 7) % 50);
      req.lines[static_cast<std::size_t>(l)].qty = 1 + l;
    }
    engine_.apply(c, result_);
  };
  for (int i = 0; i < 100; ++i) submit(i);  // warm up: result vectors, scratch
  ASSERT_TRUE(result_.ok());
  const uint64_t before = test::allocations();
  for (int i = 100; i < kOrders; ++i) submit(i);
  const uint64_t after = test::allocations();
  ASSERT_TRUE(result_.ok());
  EXPECT_EQ(std::get<OrderView>(result_.body).decision, OrderStatus::accepted);
  // The one allowance: list_orders' per-customer and per-principal order indexes
  // (engine/order_ledger.cc) are vectors that double as they grow, so each of the 100
  // customers' lists (about 200 orders each) reallocates at most 9 times and the one
  // principal's (19,900 orders) at most 16. Anything per order (19,900 of them) still fails.
  const uint64_t index_growth = 100 * 9 + 16;
  EXPECT_LE(after - before, index_growth)
      << "allocations while recording " << kOrders - 100 << " orders";
}

TEST_F(AllocTest, QuotingAllocatesNothingInSteadyState) {
  Query q{kStart, rep_, Quote{}};
  OrderRequest& req = std::get<Quote>(q.body).order;
  req.customer = Key::of("C1");
  req.lines.resize(3);
  for (int l = 0; l < 3; ++l) {
    req.lines[static_cast<std::size_t>(l)].sku = numbered("SKU", l);
    req.lines[static_cast<std::size_t>(l)].qty = 2;
  }
  engine_.query(q, result_);
  ASSERT_TRUE(result_.ok());
  const uint64_t before = test::allocations();
  for (int i = 0; i < 10'000; ++i) engine_.query(q, result_);
  EXPECT_EQ(test::allocations() - before, 0u);
  EXPECT_TRUE(std::get<OrderView>(result_.body).quote);
}

}  // namespace
}  // namespace credo

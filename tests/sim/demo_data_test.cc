// The demo world (tools/demo) must load into a fresh engine without a single failure, leave the
// clock at `start`, and show what the demo promises: an overdue customer, a prepaid balance,
// a customer on hold and a blocked one, and a credit principal for every approval level a held
// order can need. credo-server --demo relies on it.
#include "tools/demo/demo_data.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "engine/engine.h"

namespace credo::demo {
namespace {

constexpr TimeMs kStart = 1'795'424'400'000;  // 2026-11-23T09:00:00Z

CustomerView customer(const Engine& e, std::string_view id) {
  Query q;
  q.at = e.now();
  q.by = demo_rep();
  q.body = GetCustomer{Key::of(id)};
  Result r;
  e.query(q, r);
  EXPECT_TRUE(r.ok()) << id;
  return r.ok() ? std::get<CustomerView>(r.body) : CustomerView{};
}

TEST(DemoDataset, LoadsCleanlyIntoAFreshEngine) {
  Engine e;
  Result r;
  uint64_t seq = 0;
  for (Command& c : demo_dataset(kStart)) {
    c.seq = ++seq;
    e.apply(c, r);
    ASSERT_TRUE(r.ok()) << "command " << seq << ": " << to_string(r.error.code) << " "
                        << r.error.message;
  }
  EXPECT_EQ(e.now(), kStart);
  EXPECT_EQ(e.check_invariants(/*full=*/true), "");
  EXPECT_EQ(e.counts().customers, 10u);
  EXPECT_GT(customer(e, kOverdueCustomer).oldest_overdue_days, 0);
  EXPECT_GT(customer(e, kCashCustomer).exposure.unapplied, 0);
  EXPECT_EQ(customer(e, kOnHoldCustomer).status, CustomerStatus::on_hold);
  EXPECT_EQ(customer(e, kBlockedCustomer).status, CustomerStatus::blocked);
  EXPECT_EQ(customer(e, kNewCustomer).grade, Grade::D);
  EXPECT_EQ(customer(e, kGoodCustomer).exposure.receivables, 0);  // paid on time
}

// credo-server --demo gives one key per demo principal: a price hold that needs level N must be
// releasable by the sales principal of level N (sales management approves prices, 004 P5 §5-6)
// and not by the one below it.
TEST(DemoDataset, EachApprovalLevelHasASalesPrincipalWhoMayReleaseItsPriceHolds) {
  Engine e;
  Result r;
  uint64_t seq = 0;
  auto apply = [&](const Principal& by, CommandBody body) {
    Command c;
    c.seq = ++seq;
    c.at = e.now();
    c.by = by;
    c.body = std::move(body);
    e.apply(c, r);
  };
  for (Command& c : demo_dataset(kStart)) {
    c.seq = ++seq;
    e.apply(c, r);
    ASSERT_TRUE(r.ok());
  }
  // BOLT-M8 lists at 12.50 (floor 10.00). Default policy: up to 3% off needs level 1, up to 10%
  // level 2, more (down to the floor) level 3.
  const Principal by_level[] = {demo_rep(), demo_sales_manager(), demo_sales_director(),
                                demo_sales_vp()};
  const Money price_for_level[] = {1'250, 1'220, 1'150, 1'060};
  for (int level = 1; level <= 3; level++) {
    EXPECT_EQ(by_level[level].level, level);
    EXPECT_NE(by_level[level].roles & kRoleOrder, 0);
    OrderRequest req;
    req.customer = Key::of(kGoodCustomer);
    req.lines.push_back(LineRequest{Key::of("BOLT-M8"), 10, price_for_level[level]});
    apply(demo_rep(), SubmitOrder{req});
    ASSERT_TRUE(r.ok());
    const OrderView held = std::get<OrderView>(r.body);
    ASSERT_EQ(held.status, OrderStatus::held) << level;
    ASSERT_EQ(held.reasons.size(), 1u);
    EXPECT_EQ(held.reasons[0].required_level, level);
    apply(by_level[level - 1], ReleaseOrder{held.order_no, "below the level"});
    EXPECT_FALSE(r.ok()) << level;
    apply(by_level[level], ReleaseOrder{held.order_no, "within the level"});
    ASSERT_TRUE(r.ok()) << level << ": " << r.error.message;
    EXPECT_EQ(std::get<OrderView>(r.body).status, OrderStatus::accepted);
  }
}

}  // namespace
}  // namespace credo::demo

// Retention (docs/limits.md "Closed orders", engine/archive.cc): tick archives the closed orders
// whose last event is older than the policy's order_retention_days, oldest first; an archived
// order answers from its header, its lines, reasons and events leave memory.
#include <gtest/gtest.h>

#include <string>

#include "tests/engine/world.h"

namespace credo::test {
namespace {

class ArchiveTest : public EngineTest {
 protected:
  void SetUp() override {
    w.good_customer("C1");
    w.product("BOLT").price(1'000).stock(1'000'000);
    w.product("NUT").price(100).stock(1'000'000);
  }
  void retain(int32_t days) {
    Policy p = w.engine.policy();
    p.order_retention_days = days;
    body<PolicyView>(w.apply(SetPolicy{p}, admin()));
  }
  OrderNo shipped(const SubmitOptions& opt = {}) {
    const OrderNo n = w.submit("C1", {{"BOLT", 3}, {"NUT", 2}}, opt).order_no;
    w.ship(n);
    return n;
  }
};

TEST_F(ArchiveTest, NothingIsArchivedUntilThePolicySaysSo) {
  const OrderNo n = shipped();
  w.advance_days(3650);
  EXPECT_EQ(w.tick().orders_archived, 0u);  // the policy's default, 0, keeps everything
  EXPECT_FALSE(w.get_order(n).archived);
  EXPECT_EQ(w.get_order(n).lines.size(), 2u);
}

TEST_F(ArchiveTest, ClosedOrdersPastTheWindowKeepOnlyTheirHeader) {
  retain(30);
  const OrderNo a = shipped();
  const OrderNo b = w.submit("C1", {{"BOLT", 1}}).order_no;
  w.cancel(b);
  const OrderNo open = w.submit("C1", {{"NUT", 1}}).order_no;
  const OrderNo later = shipped();
  w.advance_days(29);
  EXPECT_EQ(w.tick().orders_archived, 0u);  // 29 days: not yet
  w.advance_days(1);
  // `open` expires at this very tick (order_ttl_days 30): its last event is now, so it and every
  // order after it wait.
  const TickView t = w.tick();
  EXPECT_EQ(t.accepted_expired, 1u);
  EXPECT_EQ(t.orders_archived, 2u);

  const OrderView got = w.get_order(a);
  EXPECT_TRUE(got.archived);
  EXPECT_EQ(got.status, OrderStatus::shipped);
  EXPECT_EQ(got.total, 3'200);
  EXPECT_EQ(got.customer.view(), "C1");
  EXPECT_TRUE(got.lines.empty());
  EXPECT_TRUE(got.events.empty());
  EXPECT_EQ(w.get_order(b).status, OrderStatus::cancelled);
  EXPECT_TRUE(w.get_order(b).archived);
  EXPECT_FALSE(w.get_order(open).archived);
  EXPECT_FALSE(w.get_order(later).archived);
  EXPECT_EQ(w.get_order(later).lines.size(), 2u);

  w.advance_days(30);
  EXPECT_EQ(w.tick().orders_archived, 2u);
  EXPECT_TRUE(w.get_order(later).archived);
  snapshot_copy(w.engine);
}

TEST_F(ArchiveTest, ARepeatedSubmitIsStillAnsweredByTheArchivedOrder) {
  retain(1);
  const OrderNo n = shipped({.client_order_id = "PO-1"});
  w.advance_days(2);
  EXPECT_EQ(w.tick().orders_archived, 1u);
  const OrderView again = w.submit("C1", {{"BOLT", 3}, {"NUT", 2}}, {.client_order_id = "PO-1"});
  EXPECT_TRUE(again.duplicate);
  EXPECT_TRUE(again.archived);
  EXPECT_EQ(again.order_no, n);
  EXPECT_EQ(again.total, 3'200);
  EXPECT_EQ(w.engine.counts().orders, 1u);  // nothing new recorded
}

TEST_F(ArchiveTest, AnArchivedOrderTakesNoReturnAndAReturnUnderWayHoldsItBack) {
  retain(1);
  const OrderNo kept = shipped();
  const OrderNo gone = shipped();
  Result r = w.apply(RequestReturn{kept, sku_qty({{"BOLT", 1}}), "wrong size"}, rep(0));
  ASSERT_TRUE(r.ok()) << describe(r.error);
  w.advance_days(2);
  // `kept` has a return under way: neither it nor the order after it is archived.
  EXPECT_EQ(w.tick().orders_archived, 0u);
  ASSERT_TRUE(w.apply(ApproveReturn{1, "ok"}, principal("mgr", kRoleOrder, 1)).ok());
  Result got = w.apply(ReceiveReturn{1, {ReceiveLine{Key::of("BOLT"), 1, QcResult::pass}}},
                       warehouse());
  ASSERT_TRUE(got.ok()) << describe(got.error);
  w.advance_days(2);
  EXPECT_EQ(w.tick().orders_archived, 2u);
  Result late = w.apply(RequestReturn{gone, sku_qty({{"BOLT", 1}}), "late"}, rep(0));
  EXPECT_EQ(late.error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(late.error.reason, "archived");
  Result goods = w.apply(ReturnGoods{gone, sku_qty({{"BOLT", 1}}), true, "late"}, admin());
  EXPECT_EQ(goods.error.code, ErrorCode::INVALID_STATE);
}

TEST_F(ArchiveTest, ListOrdersShowsArchivedRowsWithWhatShipped) {
  retain(1);
  const OrderNo n = w.submit("C1", {{"BOLT", 4}}).order_no;
  w.ship(n, {{"BOLT", 1}});
  w.cancel(n, rep(1));  // a quarter shipped, the rest cancelled (level 1 may)
  w.advance_days(2);
  EXPECT_EQ(w.tick().orders_archived, 1u);
  ListOrders q;
  q.customer = Key::of("C1");
  const OrderList list = body<OrderList>(w.query(q));
  ASSERT_EQ(list.orders.size(), 1u);
  EXPECT_EQ(list.orders[0].order_no, n);
  EXPECT_EQ(list.orders[0].status, OrderStatus::cancelled);
  EXPECT_EQ(list.orders[0].shipped_value, 1'000);  // from its invoice: the lines are gone
  EXPECT_EQ(list.orders[0].unshipped_value, 3'000);
}

// Past a whole chunk of lines (4 MiB: 104,857 lines) the memory goes back: the image, which holds
// only what is kept, shrinks to a fraction, and a copy loaded from it goes on archiving.
TEST_F(ArchiveTest, ArchivingGivesWholeChunksBackAndTheImageKeepsOnlyTheRest) {
  retain(1);
  for (int i = 0; i < 60'000; ++i) w.cancel(w.submit("C1", {{"BOLT", 1}, {"NUT", 1}}).order_no);
  const OrderNo last = w.submit("C1", {{"BOLT", 1}}).order_no;  // stays open: holds nothing back
  std::string before;
  w.engine.save(before);
  w.advance_days(2);
  const TickView t = w.tick();
  EXPECT_EQ(t.orders_archived, 60'000u);  // the open `last` was accepted at the same time
  EXPECT_EQ(t.accepted_expired, 0u);
  std::string after;
  w.engine.save(after);
  EXPECT_LT(after.size(), before.size() * 3 / 4) << before.size() << " -> " << after.size();
  EXPECT_FALSE(w.get_order(last).archived);
  Engine copy = snapshot_copy(w.engine);
  EXPECT_TRUE(w.get_order(last - 1).archived);
}

TEST_F(ArchiveTest, TheWindowIsCheckedLikeEveryPolicyDuration) {
  Policy p = w.engine.policy();
  p.order_retention_days = 36'501;
  Result r = w.apply(SetPolicy{p}, admin());
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "order_retention_days");
}

}  // namespace
}  // namespace credo::test

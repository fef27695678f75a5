// An order's life after the decision: release, reject, cancel and shipment
// (docs/rules.md "Order lifecycle").
#include "tests/engine/world.h"

namespace credo::test {
namespace {

class LifecycleTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).floor(100).stock(100);
    w.product("NUT").price(100).stock(100);
    w.customer("C1").grade(Grade::A).limit(1'000'000).terms(30);
    w.customer("D1").limit(1'000'000);  // grade D: credit orders are held
  }
  OrderNo held_order(Qty bolts = 5) { return w.submit("D1", {{"BOLT", bolts}}).order_no; }
  OrderNo accepted_order(Qty bolts = 10) { return w.submit("C1", {{"BOLT", bolts}}).order_no; }
};

// ---- release ----
TEST_F(LifecycleTest, ReleaseMakesHeldOrderAccepted) {
  OrderNo n = held_order();
  OrderView o = w.release(n);
  EXPECT_EQ(o.status, OrderStatus::accepted);
  EXPECT_EQ(w.get_order(n).status, OrderStatus::accepted);
  CustomerView c = w.get_customer("D1");
  EXPECT_EQ(c.exposure.held, 0);
  EXPECT_EQ(c.exposure.open_orders, 5000);
  EXPECT_EQ(w.get_product("BOLT").reserved, 5);
}

TEST_F(LifecycleTest, CreditHoldNeedsItsRequiredLevel) {
  OrderNo n = held_order();  // grade D: level 3
  EXPECT_EQ(w.try_release(n, /*level=*/2).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.release(n, /*level=*/3).status, OrderStatus::accepted);
}

TEST_F(LifecycleTest, ReleaseNeedsTheRequiredApprovalLevel) {
  OrderNo n = w.submit("C1", {{"BOLT", 1, 950}}).order_no;  // 5% off: level 2
  uint64_t before = w.engine.state_hash();
  // A price approval is sales management's: an order-role principal of the level.
  EXPECT_EQ(w.apply(ReleaseOrder{n, "ok"}, rep(1)).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.engine.state_hash(), before);
  EXPECT_EQ(body<OrderView>(w.apply(ReleaseOrder{n, "ok"}, rep(2))).status, OrderStatus::accepted);
}

TEST_F(LifecycleTest, ReleaseOfAnOrderNotHeldIsInvalidState) {
  OrderNo n = accepted_order();
  EXPECT_EQ(w.try_release(n).error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(w.try_release(999'999).error.code, ErrorCode::NOT_FOUND);
}

TEST_F(LifecycleTest, ReleaseNeedsCreditRole) {
  OrderNo n = held_order();
  EXPECT_EQ(w.apply(ReleaseOrder{n, ""}, rep(3)).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.apply(ReleaseOrder{n, ""}, warehouse()).error.code, ErrorCode::FORBIDDEN);
}

// ---- reject ----
TEST_F(LifecycleTest, RejectReleasesStockAndExposure) {
  OrderNo n = held_order();
  EXPECT_EQ(w.reject(n).status, OrderStatus::rejected);
  EXPECT_EQ(w.get_product("BOLT").reserved, 0);
  EXPECT_EQ(w.get_customer("D1").exposure.total, 0);
  EXPECT_EQ(w.get_order(n).status, OrderStatus::rejected);
  EXPECT_EQ(w.get_order(n).decision, OrderStatus::held);
}

TEST_F(LifecycleTest, RejectOfAnOrderNotHeldIsInvalidState) {
  EXPECT_EQ(w.try_reject(accepted_order()).error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(w.try_reject(999'999).error.code, ErrorCode::NOT_FOUND);
}

// ---- cancel ----
TEST_F(LifecycleTest, CancelByItsSubmitterReleasesStockAndExposure) {
  OrderNo n = accepted_order();
  EXPECT_EQ(w.cancel(n).status, OrderStatus::cancelled);
  EXPECT_EQ(w.get_product("BOLT").reserved, 0);
  EXPECT_EQ(w.get_customer("C1").exposure.total, 0);
}

TEST_F(LifecycleTest, CancelOfAnotherPrincipalsOrderIsForbiddenButAdminMay) {
  OrderNo n = accepted_order();
  EXPECT_EQ(w.try_cancel(n, rep(3, "rep-other")).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.cancel(n, admin()).status, OrderStatus::cancelled);
}

TEST_F(LifecycleTest, HeldOrderMayBeCancelled) {
  OrderNo n = held_order();
  EXPECT_EQ(w.cancel(n).status, OrderStatus::cancelled);
  EXPECT_EQ(w.get_customer("D1").exposure.held, 0);
}

TEST_F(LifecycleTest, CancelOfPartlyShippedOrderKeepsShippedPartInvoiced) {
  OrderNo n = accepted_order(10);
  w.ship(n, {{"BOLT", 4}});
  OrderView o = w.cancel(n, rep(1));  // the rest of a partly shipped order: level 1
  EXPECT_EQ(o.status, OrderStatus::cancelled);
  EXPECT_EQ(o.lines[0].shipped, 4);
  CustomerView c = w.get_customer("C1");
  EXPECT_EQ(c.exposure.open_orders, 0);
  EXPECT_EQ(c.exposure.receivables, 4000);
  ProductView p = w.get_product("BOLT");
  EXPECT_EQ(p.on_hand, 96);
  EXPECT_EQ(p.reserved, 0);
}

TEST_F(LifecycleTest, CancelWithNothingLeftUnshippedIsInvalidState) {
  OrderNo shipped = accepted_order();
  w.ship(shipped);
  EXPECT_EQ(w.try_cancel(shipped).error.code, ErrorCode::INVALID_STATE);
  OrderNo rejected = w.submit("C1", {{"NOPE", 1}}).order_no;
  EXPECT_EQ(w.try_cancel(rejected).error.code, ErrorCode::INVALID_STATE);
  OrderNo cancelled = accepted_order();
  w.cancel(cancelled);
  EXPECT_EQ(w.try_cancel(cancelled).error.code, ErrorCode::INVALID_STATE);
}

// ---- ship ----
TEST_F(LifecycleTest, ShipmentCreatesInvoiceDueAfterTerms) {
  OrderNo n = accepted_order(5);
  ShipView s = w.ship(n);
  EXPECT_EQ(s.invoice_no, 1u);
  EXPECT_EQ(s.amount, 5000);
  EXPECT_EQ(s.due_date, w.today() + 30);
  EXPECT_EQ(s.status, OrderStatus::shipped);
  ProductView p = w.get_product("BOLT");
  EXPECT_EQ(p.on_hand, 95);
  EXPECT_EQ(p.reserved, 0);
  CustomerView c = w.get_customer("C1");
  EXPECT_EQ(c.exposure.open_orders, 0);
  EXPECT_EQ(c.exposure.receivables, 5000);
  EXPECT_EQ(w.get_order(n).status, OrderStatus::shipped);
}

TEST_F(LifecycleTest, PartialShipmentKeepsOrderAcceptedWithShippedQuantities) {
  OrderNo n = w.submit("C1", {{"BOLT", 10}, {"NUT", 5}}).order_no;
  ShipView first = w.ship(n, {{"BOLT", 4}});
  EXPECT_EQ(first.invoice_no, 1u);
  EXPECT_EQ(first.amount, 4000);
  EXPECT_EQ(first.status, OrderStatus::accepted);
  OrderView o = w.get_order(n);
  EXPECT_EQ(o.status, OrderStatus::accepted);
  EXPECT_EQ(o.lines[0].shipped, 4);
  EXPECT_EQ(o.lines[1].shipped, 0);
  EXPECT_EQ(w.get_customer("C1").exposure.open_orders, 6500);

  ShipView rest = w.ship(n);  // default: everything unshipped
  EXPECT_EQ(rest.invoice_no, 2u);
  EXPECT_EQ(rest.amount, 6500);
  EXPECT_EQ(rest.status, OrderStatus::shipped);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 10'500);
}

TEST_F(LifecycleTest, DueDateUsesTermsAtShippingTime) {
  OrderNo n = accepted_order(1);
  w.apply(SetCredit{Key::of("C1"), std::nullopt, std::nullopt, 10, "shorter"}, credit_officer());
  w.advance_days(2);
  EXPECT_EQ(w.ship(n).due_date, w.today() + 10);
}

TEST_F(LifecycleTest, OnlyAcceptedOrdersShip) {
  EXPECT_EQ(w.try_ship(held_order()).error.code, ErrorCode::INVALID_STATE);
  OrderNo shipped = accepted_order();
  w.ship(shipped);
  EXPECT_EQ(w.try_ship(shipped).error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(w.try_ship(999'999).error.code, ErrorCode::NOT_FOUND);
}

TEST_F(LifecycleTest, ShippingWhatTheOrderDoesNotHaveIsBadRequest) {
  OrderNo n = accepted_order(10);
  uint64_t before = w.engine.state_hash();
  EXPECT_EQ(w.try_ship(n, {{"NUT", 1}}).error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(w.try_ship(n, {{"BOLT", 11}}).error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(LifecycleTest, ShipNeedsWarehouseRole) {
  OrderNo n = accepted_order();
  EXPECT_EQ(w.apply(Ship{n, {}}, finance(3)).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.apply(Ship{n, {}}, rep(3)).error.code, ErrorCode::FORBIDDEN);
}

TEST_F(LifecycleTest, CancelNeedsOrderOrAdminRole) {
  OrderNo n = accepted_order();
  EXPECT_EQ(w.try_cancel(n, credit_officer(3)).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.try_cancel(n, warehouse()).error.code, ErrorCode::FORBIDDEN);
}

TEST_F(LifecycleTest, InvoiceNumbersAreConsecutiveAcrossCustomers) {
  w.customer("C2").grade(Grade::A).limit(1'000'000);
  EXPECT_EQ(w.ship(accepted_order(1)).invoice_no, 1u);
  EXPECT_EQ(w.ship(w.submit("C2", {{"BOLT", 1}}).order_no).invoice_no, 2u);
  EXPECT_EQ(w.ship(accepted_order(1)).invoice_no, 3u);
}

TEST_F(LifecycleTest, ReturnsToCancelledOrdersAreAllowedForWhatShipped) {
  OrderNo n = w.submit("C1", {{"BOLT", 10}}).order_no;
  w.ship(n, {{"BOLT", 4}});
  w.cancel(n, rep(1));
  EXPECT_EQ(w.return_goods(n, {{"BOLT", 4}}, true).amount, 4000);
  EXPECT_EQ(w.get_order(n).status, OrderStatus::cancelled);
}

}  // namespace
}  // namespace credo::test

// ship re-checks the customer (docs/rules.md "Shipping to a stopped customer"): no shipment on
// credit to a blocked, on-hold or overdue customer without a one-time release_shipment.
#include <string>

#include "tests/engine/world.h"

namespace credo::test {
namespace {

class SupplyStopTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).stock(1000);
    w.customer("C1").grade(Grade::A).limit(1'000'000).terms(30);
  }
  OrderNo accepted_order(Qty bolts = 10, PaymentTerms payment = PaymentTerms::credit) {
    OrderView o = w.submit("C1", {{"BOLT", bolts}}, {.payment = payment});
    EXPECT_EQ(o.status, OrderStatus::accepted);
    return o.order_no;
  }
  Result release_shipment(OrderNo n, const Principal& by = credit_officer(2)) {
    return w.apply(ReleaseShipment{n, "one last delivery"}, by);
  }
  // Expects ship to be refused with `reason`, changing nothing.
  void expect_stopped(OrderNo n, const char* reason) {
    const uint64_t before = w.engine.state_hash();
    Result r = w.try_ship(n, {{"BOLT", 1}});
    EXPECT_EQ(r.error.code, ErrorCode::INVALID_STATE) << describe(r.error);
    EXPECT_EQ(r.error.reason, reason);
    EXPECT_EQ(w.engine.state_hash(), before);
  }
};

TEST_F(SupplyStopTest, ShipToABlockedCustomerIsRefused) {
  OrderNo n = accepted_order();
  ASSERT_TRUE(w.set_status("C1", CustomerStatus::blocked).ok());
  expect_stopped(n, "CUSTOMER_BLOCKED");
}

TEST_F(SupplyStopTest, ShipToACustomerOnHoldIsRefused) {
  OrderNo n = accepted_order();
  ASSERT_TRUE(w.set_status("C1", CustomerStatus::on_hold).ok());
  expect_stopped(n, "CUSTOMER_ON_HOLD");
}

TEST_F(SupplyStopTest, ShipToAnOverdueCustomerIsRefused) {
  OrderNo first = accepted_order(1);
  OrderNo second = accepted_order(1);
  w.ship(first);
  w.advance_days(31);  // the first invoice is a day past due
  expect_stopped(second, "OVERDUE");
}

TEST_F(SupplyStopTest, AShippingReleaseLetsOneShipmentThrough) {
  OrderNo n = accepted_order();
  ASSERT_TRUE(w.set_status("C1", CustomerStatus::blocked).ok());
  OrderView o = body<OrderView>(release_shipment(n));
  EXPECT_TRUE(o.shipping_release);
  EXPECT_EQ(o.events.back().kind, EventKind::shipping_released);
  EXPECT_EQ(w.ship(n, {{"BOLT", 4}}).lines[0].qty, 4);
  EXPECT_FALSE(w.get_order(n).shipping_release);  // used
  expect_stopped(n, "CUSTOMER_BLOCKED");
}

TEST_F(SupplyStopTest, PrepaidOrdersShipRegardless) {
  w.pay("C1", 10'000, "P1");
  OrderNo n = accepted_order(10, PaymentTerms::prepaid);
  ASSERT_TRUE(w.set_status("C1", CustomerStatus::on_hold).ok());
  EXPECT_EQ(w.ship(n).amount, 10'000);
}

TEST_F(SupplyStopTest, ShippingReleaseNeedsCreditLevelTwo) {
  OrderNo n = accepted_order();
  ASSERT_TRUE(w.set_status("C1", CustomerStatus::blocked).ok());
  const uint64_t before = w.engine.state_hash();
  Result low = release_shipment(n, credit_officer(1));
  EXPECT_EQ(low.error.code, ErrorCode::FORBIDDEN);
  EXPECT_NE(low.error.message.find("level 2"), std::string::npos) << low.error.message;
  Result wrong_role = release_shipment(n, principal("boss", kRoleOrder, 3));
  EXPECT_EQ(wrong_role.error.code, ErrorCode::FORBIDDEN);
  EXPECT_NE(wrong_role.error.message.find("credit"), std::string::npos);
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(SupplyStopTest, NobodyReleasesShipmentOfAnOrderTheySubmitted) {
  OrderView o = w.submit("C1", {{"BOLT", 1}}, {.by = admin()});
  ASSERT_TRUE(w.set_status("C1", CustomerStatus::blocked).ok());
  Result r = release_shipment(o.order_no, admin());
  EXPECT_EQ(r.error.code, ErrorCode::FORBIDDEN);
  EXPECT_NE(r.error.message.find("four eyes"), std::string::npos);
}

TEST_F(SupplyStopTest, ShippingReleaseWithoutAStopIsInvalidState) {
  OrderNo n = accepted_order();
  EXPECT_EQ(release_shipment(n).error.code, ErrorCode::INVALID_STATE);
}

TEST_F(SupplyStopTest, ASecondShippingReleaseBeforeTheShipmentIsInvalidState) {
  OrderNo n = accepted_order();
  ASSERT_TRUE(w.set_status("C1", CustomerStatus::blocked).ok());
  ASSERT_TRUE(release_shipment(n).ok());
  EXPECT_EQ(release_shipment(n).error.code, ErrorCode::INVALID_STATE);
}

TEST_F(SupplyStopTest, ShippingReleaseOfAnOrderThatCannotShipIsInvalidState) {
  OrderNo n = accepted_order();
  w.ship(n);
  ASSERT_TRUE(w.set_status("C1", CustomerStatus::blocked).ok());
  EXPECT_EQ(release_shipment(n).error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(release_shipment(999'999).error.code, ErrorCode::NOT_FOUND);
}

TEST_F(SupplyStopTest, TheReleaseSurvivesASnapshot) {
  OrderNo n = accepted_order();
  ASSERT_TRUE(w.set_status("C1", CustomerStatus::blocked).ok());
  ASSERT_TRUE(release_shipment(n).ok());
  std::string image;
  w.engine.save(image);
  World copy;
  std::string error;
  ASSERT_TRUE(copy.engine.load(image, &error)) << error;
  copy.now = w.now;
  copy.seq = w.seq;
  EXPECT_TRUE(copy.get_order(n).shipping_release);
  EXPECT_TRUE(copy.try_ship(n).ok());
}

}  // namespace
}  // namespace credo::test

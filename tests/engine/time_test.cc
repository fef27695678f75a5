// What time triggers, through Tick: hold and order expiry, the overdue ladder, and the policy
// that sets their limits (docs/rules.md "Numbers and time", "Customers", "Order lifecycle").
#include "tests/engine/world.h"

namespace credo::test {
namespace {

class TimeTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).stock(100);
    w.customer("C1").grade(Grade::A).limit(1'000'000).terms(30);
    w.customer("D1").limit(1'000'000);  // grade D: credit orders are held
  }
  // Ships 5 bolts to C1 today: invoice of 5,000 due in 30 days.
  void ship_invoice() { w.ship(w.submit("C1", {{"BOLT", 5}}).order_no); }
  SetPolicy policy_with(auto change) {
    SetPolicy p{w.engine.policy()};
    change(p.policy);
    return p;
  }
};

// ---- tick and the clock ----
TEST_F(TimeTest, TickAdvancesNow) {
  w.advance_hours(5);
  EXPECT_EQ(w.tick().now, w.now);
  EXPECT_EQ(w.engine.now(), w.now);
}

TEST_F(TimeTest, TickBackwardsIsInvalidStateAndChangesNothing) {
  w.advance_hours(1);
  w.tick();
  uint64_t before = w.engine.state_hash();
  w.now -= 1;
  EXPECT_EQ(w.apply(Tick{}, admin()).error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(w.engine.state_hash(), before);
  EXPECT_EQ(w.engine.now(), w.now + 1);
}

TEST_F(TimeTest, CommandStampedEarlierDoesNotMoveTimeBack) {
  w.advance_hours(1);
  w.tick();
  TimeMs later = w.now;
  w.now = kStart;
  EXPECT_TRUE(w.try_submit("C1", {{"BOLT", 1}}).ok());
  EXPECT_EQ(w.engine.now(), later);
}

TEST_F(TimeTest, FailedCommandDoesNotAdvanceTime) {
  TimeMs before = w.engine.now();
  w.advance_hours(1);
  EXPECT_FALSE(w.try_submit("C1", {{"BOLT", 0}}).ok());
  EXPECT_EQ(w.engine.now(), before);
}

TEST_F(TimeTest, TickNeedsAdmin) {
  EXPECT_EQ(w.apply(Tick{}, credit_officer()).error.code, ErrorCode::FORBIDDEN);
}

// ---- expiry ----
TEST_F(TimeTest, HeldOrderExpiresAfterHoldTime) {
  OrderNo n = w.submit("D1", {{"BOLT", 5}}).order_no;
  w.advance_ms(72 * kMsPerHour - 1);
  EXPECT_EQ(w.tick().held_expired, 0u);
  EXPECT_EQ(w.get_order(n).status, OrderStatus::held);
  w.advance_ms(2);
  EXPECT_EQ(w.tick().held_expired, 1u);
  EXPECT_EQ(w.get_order(n).status, OrderStatus::expired);
  EXPECT_EQ(w.get_product("BOLT").reserved, 0);
  EXPECT_EQ(w.get_customer("D1").exposure.held, 0);
}

TEST_F(TimeTest, ExpiredHeldPrepaidOrderReturnsBalance) {
  w.pay("D1", 5000, "P1");
  w.set_status("D1", CustomerStatus::on_hold);
  w.submit("D1", {{"BOLT", 3}}, {.payment = PaymentTerms::prepaid});
  w.advance_hours(73);
  w.tick();
  CustomerView c = w.get_customer("D1");
  EXPECT_EQ(c.prepaid_reserved, 0);
  EXPECT_EQ(c.exposure.unapplied, 5000);
}

TEST_F(TimeTest, AcceptedOrderUnshippedRestExpiresAfterOrderTtl) {
  OrderNo n = w.submit("C1", {{"BOLT", 10}}).order_no;
  w.ship(n, {{"BOLT", 4}});
  w.advance_ms(30 * kMsPerDay - 1);
  EXPECT_EQ(w.tick().accepted_expired, 0u);
  w.advance_ms(2);
  EXPECT_EQ(w.tick().accepted_expired, 1u);
  OrderView o = w.get_order(n);
  EXPECT_EQ(o.status, OrderStatus::expired);
  EXPECT_EQ(o.lines[0].shipped, 4);
  CustomerView c = w.get_customer("C1");
  EXPECT_EQ(c.exposure.open_orders, 0);
  EXPECT_EQ(c.exposure.receivables, 4000);  // what shipped stays invoiced
  EXPECT_EQ(w.get_product("BOLT").reserved, 0);
}

TEST_F(TimeTest, ReleasedOrderTtlCountsFromRelease) {
  OrderNo n = w.submit("D1", {{"BOLT", 5}}).order_no;
  w.advance_hours(48);
  w.release(n);
  // 30 days after the decision but not yet 30 days after acceptance.
  w.advance_ms(30 * kMsPerDay - 1);
  w.tick();
  EXPECT_EQ(w.get_order(n).status, OrderStatus::accepted);
  w.advance_ms(2);
  w.tick();
  EXPECT_EQ(w.get_order(n).status, OrderStatus::expired);
}

TEST_F(TimeTest, SetPolicyChangesHoldTime) {
  ASSERT_TRUE(w.apply(policy_with([](Policy& p) { p.hold_ttl_hours = 1; }), admin()).ok());
  OrderNo n = w.submit("D1", {{"BOLT", 5}}).order_no;
  w.advance_ms(kMsPerHour + 1);
  w.tick();
  EXPECT_EQ(w.get_order(n).status, OrderStatus::expired);
}

// ---- the overdue ladder ----
TEST_F(TimeTest, CustomerIsSuspendedMoreThanSuspendDaysPastDue) {
  ship_invoice();           // due in 30 days
  w.advance_days(30 + 60);  // exactly 60 days past due
  EXPECT_EQ(w.tick().customers_suspended, 0u);
  EXPECT_EQ(w.get_customer("C1").status, CustomerStatus::active);
  w.advance_days(1);
  EXPECT_EQ(w.tick().customers_suspended, 1u);
  CustomerView c = w.get_customer("C1");
  EXPECT_EQ(c.status, CustomerStatus::on_hold);
  EXPECT_EQ(c.status_reason, "OVERDUE_SUSPENSION");
  EXPECT_EQ(c.oldest_overdue_days, 61);
  OrderView o = w.submit("C1", {{"BOLT", 1}});
  EXPECT_TRUE(has_reason(o, Reason::CUSTOMER_ON_HOLD));
  EXPECT_TRUE(has_reason(o, Reason::OVERDUE));
}

TEST_F(TimeTest, SuspendedCustomerIsReactivatedOncePaid) {
  ship_invoice();
  w.advance_days(91);
  w.tick();
  w.pay("C1", 4000, "P1");  // something still past due
  EXPECT_EQ(w.get_customer("C1").status, CustomerStatus::on_hold);
  w.pay("C1", 1000, "P2");
  EXPECT_EQ(w.get_customer("C1").status, CustomerStatus::active);
}

TEST_F(TimeTest, LadderDoesNotReactivateACustomerAPersonPutOnHold) {
  ship_invoice();
  w.advance_days(91);
  w.set_status("C1", CustomerStatus::on_hold, "talk to them first");
  w.tick();
  w.pay("C1", 5000, "P1");
  w.tick();
  EXPECT_EQ(w.get_customer("C1").status, CustomerStatus::on_hold);
}

TEST_F(TimeTest, LadderLeavesBlockedCustomersBlocked) {
  ship_invoice();
  w.set_status("C1", CustomerStatus::blocked);
  w.advance_days(91);
  w.tick();
  EXPECT_EQ(w.get_customer("C1").status, CustomerStatus::blocked);
}

TEST_F(TimeTest, CustomerAPersonActivatedIsNotSuspendedAgainUntilClear) {
  ship_invoice();
  w.advance_days(91);
  w.tick();
  w.set_status("C1", CustomerStatus::active, "promised to pay");
  w.advance_days(1);
  w.tick();
  EXPECT_EQ(w.get_customer("C1").status, CustomerStatus::active);
  w.pay("C1", 5000, "P1");  // clear once
  ship_invoice();
  w.advance_days(91);
  w.tick();
  EXPECT_EQ(w.get_customer("C1").status, CustomerStatus::on_hold);
}

TEST_F(TimeTest, OverdueHoldDaysComeFromPolicy) {
  ASSERT_TRUE(w.apply(policy_with([](Policy& p) { p.overdue_hold_days = 10; }), admin()).ok());
  ship_invoice();
  w.advance_days(30 + 10);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).status, OrderStatus::accepted);
  w.advance_days(1);
  EXPECT_TRUE(has_reason(w.submit("C1", {{"BOLT", 1}}), Reason::OVERDUE));
}

// ---- policy ----
TEST_F(TimeTest, SetPolicyChangesApprovalLimits) {
  SetPolicy p = policy_with([](Policy& p) { p.approve_total_max_minor[0] = 1000; });
  PolicyView v = body<PolicyView>(w.apply(p, admin()));
  EXPECT_EQ(v.policy, p.policy);
  EXPECT_EQ(w.engine.policy(), p.policy);
  OrderView o = w.submit("C1", {{"BOLT", 2}});
  ASSERT_TRUE(has_reason(o, Reason::AMOUNT_APPROVAL));
  EXPECT_EQ(find_reason(o, Reason::AMOUNT_APPROVAL)->required_level, 1);
}

TEST_F(TimeTest, SetPolicyNeedsAdmin) {
  SetPolicy p = policy_with([](Policy& p) { p.hold_ttl_hours = 1; });
  EXPECT_EQ(w.apply(p, credit_officer()).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.engine.policy().hold_ttl_hours, 72);
}

TEST_F(TimeTest, WritingOffTheOverdueInvoiceReactivatesTheCustomer) {
  ship_invoice();
  w.advance_days(91);
  w.tick();
  ASSERT_EQ(w.get_customer("C1").status, CustomerStatus::on_hold);
  ASSERT_TRUE(w.try_write_off_approved(1).ok());
  EXPECT_EQ(w.get_customer("C1").status, CustomerStatus::active);
}

TEST_F(TimeTest, CustomerUpsertedOnHoldStaysOnHoldWhenClear) {
  w.customer("H1").grade(Grade::A).limit(1'000'000).status(CustomerStatus::on_hold);
  w.advance_days(1);
  w.tick();
  EXPECT_EQ(w.get_customer("H1").status, CustomerStatus::on_hold);
}

}  // namespace
}  // namespace credo::test

// Who may release what (docs/rules.md "Who approves what"): each hold reason's required level,
// the function that approves it, approve_order's partial approvals, four eyes, and the
// signing authority for cancelling a partly shipped order.
#include <functional>
#include <optional>
#include <string>

#include "tests/engine/world.h"

namespace credo::test {
namespace {

// Sales management: an order-role principal who did not submit the order.
Principal sales_manager(int level = 2) {
  return principal("sales-manager", kRoleOrder, static_cast<uint8_t>(level));
}

class ApprovalsTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).floor(100).stock(1000);
    w.customer("C1").grade(Grade::A).limit(100'000).terms(30);
    w.customer("D1").limit(1'000'000);  // grade D
  }
  Result approve(OrderNo n, const Principal& by, std::optional<ReasonSet> reasons = {}) {
    return w.apply(ApproveOrder{n, reasons, "approved"}, by);
  }
  Result release_by(OrderNo n, const Principal& by) {
    return w.apply(ReleaseOrder{n, "ok"}, by);
  }
  // Held on CREDIT_LIMIT (100,700 against 100,000: level 1) and PRICE_APPROVAL (5 % off:
  // level 2).
  OrderNo mixed_order() {
    OrderView o = w.submit("C1", {{"BOLT", 106, 950}});
    EXPECT_TRUE(has_reason(o, Reason::CREDIT_LIMIT));
    EXPECT_TRUE(has_reason(o, Reason::PRICE_APPROVAL));
    return o.order_no;
  }
  // Expects FORBIDDEN with a message containing `words`, and no state change.
  void expect_forbidden(const std::function<Result()>& act, const std::string& words) {
    const uint64_t before = w.engine.state_hash();
    Result r = act();
    EXPECT_EQ(r.error.code, ErrorCode::FORBIDDEN) << describe(r.error);
    EXPECT_NE(r.error.message.find(words), std::string::npos) << r.error.message;
    EXPECT_EQ(w.engine.state_hash(), before);
  }
};

// ---- required levels --------------------------------------------------------------------------
TEST_F(ApprovalsTest, CreditLimitHoldNeedsLevelOne) {
  OrderView o = w.submit("C1", {{"BOLT", 101}});  // 101,000 over a 100,000 limit: 1 % over
  ASSERT_TRUE(has_reason(o, Reason::CREDIT_LIMIT));
  EXPECT_EQ(find_reason(o, Reason::CREDIT_LIMIT)->required_level, 1);
  expect_forbidden([&] { return w.try_release(o.order_no, 0); }, "CREDIT_LIMIT needs approval level 1");
  EXPECT_EQ(w.release(o.order_no, 1).status, OrderStatus::accepted);
}

TEST_F(ApprovalsTest, FarOverTheCreditLimitNeedsTheVp) {
  OrderView o = w.submit("C1", {{"BOLT", 121}});  // 21 % over the limit (> 20 %)
  EXPECT_EQ(find_reason(o, Reason::CREDIT_LIMIT)->required_level, 2);
  expect_forbidden([&] { return w.try_release(o.order_no, 1); }, "CREDIT_LIMIT needs approval level 2");
}

TEST_F(ApprovalsTest, TwentyPercentOverTheLimitStaysWithTheSalesManager) {
  OrderView o = w.submit("C1", {{"BOLT", 120}});  // exactly 20 % over
  EXPECT_EQ(find_reason(o, Reason::CREDIT_LIMIT)->required_level, 1);
}

TEST_F(ApprovalsTest, GradeDNeedsTheGeneralManager) {
  OrderView o = w.submit("D1", {{"BOLT", 1}});
  EXPECT_EQ(find_reason(o, Reason::CREDIT_GRADE)->required_level, 3);
  expect_forbidden([&] { return w.try_release(o.order_no, 2); }, "CREDIT_GRADE needs approval level 3");
  EXPECT_EQ(w.release(o.order_no, 3).status, OrderStatus::accepted);
}

TEST_F(ApprovalsTest, CustomerOnHoldNeedsTheVp) {
  ASSERT_TRUE(w.set_status("C1", CustomerStatus::on_hold).ok());
  OrderView o = w.submit("C1", {{"BOLT", 1}});
  EXPECT_EQ(find_reason(o, Reason::CUSTOMER_ON_HOLD)->required_level, 2);
  expect_forbidden([&] { return w.try_release(o.order_no, 1); }, "CUSTOMER_ON_HOLD needs approval level 2");
}

TEST_F(ApprovalsTest, OverdueNeedsTheVp) {
  OrderNo first = w.submit("C1", {{"BOLT", 1}}).order_no;
  w.ship(first);
  w.advance_days(31);  // the invoice is a day past due
  OrderView o = w.submit("C1", {{"BOLT", 1}});
  EXPECT_EQ(find_reason(o, Reason::OVERDUE)->required_level, 2);
  expect_forbidden([&] { return w.try_release(o.order_no, 1); }, "OVERDUE needs approval level 2");
}

TEST_F(ApprovalsTest, ThePolicySetsEachReasonsLevel) {
  SetPolicy sp;
  sp.policy.reason_levels[static_cast<int>(Reason::CREDIT_GRADE)] = 1;
  sp.policy.credit_limit_vp_pct = 50;
  ASSERT_TRUE(w.apply(sp, admin()).ok());
  EXPECT_EQ(find_reason(w.submit("D1", {{"BOLT", 1}}), Reason::CREDIT_GRADE)->required_level, 1);
  // 30 % over the limit is no longer far over.
  EXPECT_EQ(find_reason(w.submit("C1", {{"BOLT", 130}}), Reason::CREDIT_LIMIT)->required_level, 1);
}

TEST_F(ApprovalsTest, APolicyLevelOutOfRangeIsRefused) {
  SetPolicy sp;
  sp.policy.reason_levels[static_cast<int>(Reason::OVERDUE)] = 4;
  Result r = w.apply(sp, admin());
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "reason_levels");
  sp.policy = Policy{};
  sp.policy.reason_levels[static_cast<int>(Reason::PRICE_APPROVAL)] = 1;  // computed, not set
  EXPECT_EQ(w.apply(sp, admin()).error.field, "reason_levels");
}

// ---- the right function ---------------------------------------------------------------------
TEST_F(ApprovalsTest, PriceApprovalIsForSalesManagementNotCredit) {
  OrderNo n = w.submit("C1", {{"BOLT", 1, 950}}).order_no;
  expect_forbidden([&] { return w.try_release(n, 3); }, "PRICE_APPROVAL is approved by the role 'order'");
  expect_forbidden([&] { return release_by(n, sales_manager(1)); }, "PRICE_APPROVAL needs approval level 2");
  EXPECT_EQ(body<OrderView>(release_by(n, sales_manager(2))).status, OrderStatus::accepted);
}

TEST_F(ApprovalsTest, CreditReasonsAreForCreditNotSalesManagement) {
  OrderNo n = w.submit("D1", {{"BOLT", 1}}).order_no;
  expect_forbidden([&] { return approve(n, sales_manager(3)); }, "CREDIT_GRADE is approved by the role 'credit'");
}

TEST_F(ApprovalsTest, ApproveOrderNeedsTheOrderOrCreditRole) {
  OrderNo n = w.submit("D1", {{"BOLT", 1}}).order_no;
  expect_forbidden([&] { return approve(n, warehouse()); }, "'order' or 'credit'");
}

TEST_F(ApprovalsTest, AnOrderWithReasonsOfBothKindsNeedsBothFunctions) {
  OrderNo n = mixed_order();
  OrderView after_credit = body<OrderView>(approve(n, credit_officer(1)));
  EXPECT_EQ(after_credit.status, OrderStatus::held);
  ASSERT_EQ(after_credit.approvals.size(), 1u);
  EXPECT_EQ(after_credit.approvals[0].code, Reason::CREDIT_LIMIT);
  EXPECT_EQ(after_credit.approvals[0].principal, Key::of("credit"));
  EXPECT_EQ(after_credit.approvals[0].level, 1);
  EXPECT_EQ(after_credit.approvals[0].at, w.now);
  ASSERT_EQ(after_credit.open_reasons.size(), 1u);
  EXPECT_EQ(after_credit.open_reasons[0].code, Reason::PRICE_APPROVAL);
  EXPECT_EQ(w.get_customer("C1").exposure.held, 106 * 950);

  w.advance_hours(1);
  OrderView done = body<OrderView>(approve(n, sales_manager(2)));
  EXPECT_EQ(done.status, OrderStatus::accepted);
  EXPECT_EQ(done.approvals.size(), 2u);
  EXPECT_TRUE(done.open_reasons.empty());
  EXPECT_EQ(w.get_customer("C1").exposure.open_orders, 106 * 950);
  EXPECT_EQ(w.get_customer("C1").exposure.held, 0);
}

TEST_F(ApprovalsTest, ReleaseOrderIsForbiddenUnlessTheCallerMayApproveEveryReason) {
  OrderNo n = mixed_order();
  expect_forbidden([&] { return w.try_release(n, 3); }, "PRICE_APPROVAL");
  expect_forbidden([&] { return release_by(n, sales_manager(3)); }, "CREDIT_LIMIT");
  // An admin may approve both kinds.
  EXPECT_EQ(body<OrderView>(release_by(n, admin())).status, OrderStatus::accepted);
}

TEST_F(ApprovalsTest, ReleaseOrderApprovesWhatIsLeftAfterAPartialApproval) {
  OrderNo n = mixed_order();
  ASSERT_TRUE(approve(n, sales_manager(2)).ok());
  OrderView o = body<OrderView>(w.try_release(n, 1));  // only CREDIT_LIMIT is left
  EXPECT_EQ(o.status, OrderStatus::accepted);
  EXPECT_EQ(o.approvals.size(), 2u);
}

TEST_F(ApprovalsTest, ApproveOrderNamesReasonsThatAreOpen) {
  OrderNo n = mixed_order();
  const uint64_t before = w.engine.state_hash();
  Result r = approve(n, credit_officer(3), reason_bit(Reason::OVERDUE));
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "reasons");
  EXPECT_EQ(w.engine.state_hash(), before);
  ASSERT_TRUE(approve(n, credit_officer(3), reason_bit(Reason::CREDIT_LIMIT)).ok());
  // Approved once: no longer open.
  EXPECT_EQ(approve(n, credit_officer(3), reason_bit(Reason::CREDIT_LIMIT)).error.field, "reasons");
}

TEST_F(ApprovalsTest, ApproveOrderOfANamedReasonNotTheCallersIsForbidden) {
  OrderNo n = mixed_order();
  expect_forbidden(
      [&] { return approve(n, credit_officer(3), reason_bit(Reason::CREDIT_LIMIT) | reason_bit(Reason::PRICE_APPROVAL)); },
      "PRICE_APPROVAL is approved by the role 'order'");
}

TEST_F(ApprovalsTest, ApproveOrderWithNothingTheCallerMayApproveIsForbidden) {
  // Grade D: CREDIT_GRADE (level 3) and ORDER_CREDIT_CAP (level 2), neither for level 1.
  OrderNo n = w.submit("D1", {{"BOLT", 1}}).order_no;
  expect_forbidden([&] { return approve(n, credit_officer(1)); }, "CREDIT_GRADE needs approval level 3");
}

TEST_F(ApprovalsTest, OnlyHeldOrdersAreApproved) {
  OrderNo n = w.submit("C1", {{"BOLT", 1}}).order_no;
  Result r = approve(n, credit_officer());
  EXPECT_EQ(r.error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(approve(999'999, credit_officer()).error.code, ErrorCode::NOT_FOUND);
}

TEST_F(ApprovalsTest, ApprovalsAreInTheOrdersHistory) {
  OrderNo n = mixed_order();
  ASSERT_TRUE(approve(n, credit_officer(1)).ok());
  OrderView o = w.get_order(n);
  ASSERT_EQ(o.approvals.size(), 1u);
  EXPECT_EQ(o.approvals[0].note, "approved");
  bool seen = false;
  for (const EventView& e : o.events) seen |= e.kind == EventKind::approved;
  EXPECT_TRUE(seen);
}

// ---- four eyes --------------------------------------------------------------------------------
TEST_F(ApprovalsTest, NobodyApprovesAnOrderTheySubmitted) {
  SubmitOptions by_manager;
  by_manager.by = sales_manager(1);
  OrderNo n = w.submit("C1", {{"BOLT", 1, 950}}, by_manager).order_no;  // 5 % off: level 2
  expect_forbidden([&] { return approve(n, sales_manager(3)); }, "four eyes");
  expect_forbidden([&] { return release_by(n, sales_manager(3)); }, "four eyes");
  EXPECT_TRUE(release_by(n, admin()).ok());
}

TEST_F(ApprovalsTest, AdminIsBoundByFourEyesToo) {
  SubmitOptions by_admin;
  by_admin.by = admin();
  OrderNo n = w.submit("D1", {{"BOLT", 1}}, by_admin).order_no;
  expect_forbidden([&] { return release_by(n, admin()); }, "four eyes");
  EXPECT_TRUE(w.try_release(n, 3).ok());
}

// ---- cancelling -------------------------------------------------------------------------------
TEST_F(ApprovalsTest, TheSubmitterCancelsWhileNothingHasShipped) {
  OrderNo n = w.submit("C1", {{"BOLT", 10}}).order_no;
  EXPECT_EQ(w.cancel(n, rep(0)).status, OrderStatus::cancelled);
}

TEST_F(ApprovalsTest, CancellingAPartlyShippedOrderAtLevelZeroIsForbidden) {
  OrderNo n = w.submit("C1", {{"BOLT", 10}}).order_no;
  w.ship(n, {{"BOLT", 4}});
  expect_forbidden([&] { return w.try_cancel(n, rep(0)); }, "partly shipped order needs approval level 1");
  EXPECT_EQ(w.cancel(n, rep(1)).status, OrderStatus::cancelled);  // a sales manager
}

TEST_F(ApprovalsTest, AdminCancelsAPartlyShippedOrder) {
  OrderNo n = w.submit("C1", {{"BOLT", 10}}).order_no;
  w.ship(n, {{"BOLT", 4}});
  EXPECT_EQ(w.cancel(n, admin()).status, OrderStatus::cancelled);
}

// ---- kept in snapshots ------------------------------------------------------------------------
TEST_F(ApprovalsTest, ApprovalsAndThePolicySurviveASnapshot) {
  SetPolicy sp;
  sp.policy.credit_limit_vp_pct = 35;
  sp.policy.allow_combined_roles = true;
  sp.policy.reason_levels[static_cast<int>(Reason::OVERDUE)] = 3;
  ASSERT_TRUE(w.apply(sp, admin()).ok());
  OrderNo n = mixed_order();
  ASSERT_TRUE(approve(n, credit_officer(1)).ok());
  Engine copy = snapshot_copy(w.engine);
  EXPECT_EQ(copy.policy(), w.engine.policy());
}

}  // namespace
}  // namespace credo::test

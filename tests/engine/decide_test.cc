// Deciding an order: every reason code, their order and combinations, prices and discounts,
// reservations, quotes, batches and idempotency (docs/rules.md "Deciding an order").
#include "tests/engine/world.h"

namespace credo::test {
namespace {

using Reasons = std::vector<std::pair<Reason, int>>;

class DecideTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).floor(500).stock(100);
    w.product("NUT").price(100).stock(100);
  }
};

TEST_F(DecideTest, CleanOrderIsAcceptedAtListPrice) {
  w.good_customer("C1");
  OrderView o = w.submit("C1", {{"BOLT", 3}, {"NUT", 2}});
  EXPECT_EQ(o.status, OrderStatus::accepted);
  EXPECT_EQ(o.decision, OrderStatus::accepted);
  EXPECT_EQ(o.order_no, 100001u);
  EXPECT_TRUE(o.reasons.empty());
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[0].unit_price, 1000);
  EXPECT_EQ(o.lines[0].discount_bp, 0);
  EXPECT_EQ(o.lines[0].amount, 3000);
  EXPECT_EQ(o.lines[1].amount, 200);
  EXPECT_EQ(o.total, 3200);
  EXPECT_EQ(o.at, w.now);
  EXPECT_TRUE(o.has_credit);
  EXPECT_EQ(o.credit.limit, 100'000'000);
}

TEST_F(DecideTest, OrderNumbersAreConsecutiveOverEveryDecision) {
  w.good_customer("C1");
  w.customer("D1");  // new customer: grade D, so credit orders are held
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).order_no, 100001u);    // accepted
  EXPECT_EQ(w.submit("NOPE", {{"BOLT", 1}}).order_no, 100002u);  // rejected
  EXPECT_EQ(w.submit("D1", {{"BOLT", 1}}).order_no, 100003u);    // held
}

TEST_F(DecideTest, UnknownCustomerIsRejectedWithoutCreditChecks) {
  OrderView o = w.submit("NOPE", {{"BOLT", 1}});
  EXPECT_EQ(o.status, OrderStatus::rejected);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::UNKNOWN_CUSTOMER, -1}}));
  EXPECT_FALSE(o.has_credit);
}

TEST_F(DecideTest, BlockedCustomerIsRejected) {
  w.good_customer("C1");
  w.set_status("C1", CustomerStatus::blocked);
  OrderView o = w.submit("C1", {{"BOLT", 1}});
  EXPECT_EQ(o.status, OrderStatus::rejected);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::CUSTOMER_BLOCKED, -1}}));
}

TEST_F(DecideTest, UnknownSkuIsRejectedPerLineAndCountsZeroInTotal) {
  w.good_customer("C1");
  OrderView o = w.submit("C1", {{"BOLT", 2}, {"NOPE", 5}});
  EXPECT_EQ(o.status, OrderStatus::rejected);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::UNKNOWN_SKU, 1}}));
  EXPECT_EQ(o.total, 2000);
}

TEST_F(DecideTest, InsufficientStockNamesLineAndAvailable) {
  w.good_customer("C1");
  OrderView o = w.submit("C1", {{"NUT", 1}, {"BOLT", 101}});
  EXPECT_EQ(o.status, OrderStatus::rejected);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::INSUFFICIENT_STOCK, 1}}));
  EXPECT_EQ(o.reasons[0].available, 100);
}

TEST_F(DecideTest, StockIsCumulativeAcrossLinesOfTheSameSku) {
  w.good_customer("C1");
  OrderView o = w.submit("C1", {{"BOLT", 60}, {"NUT", 1}, {"BOLT", 60}});
  EXPECT_EQ(o.status, OrderStatus::rejected);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::INSUFFICIENT_STOCK, 2}}));
  EXPECT_EQ(o.reasons[0].available, 40);
}

TEST_F(DecideTest, StockReservedByEarlierOrdersIsNotAvailable) {
  w.good_customer("C1");
  w.submit("C1", {{"BOLT", 70}});
  OrderView o = w.submit("C1", {{"BOLT", 31}});
  ASSERT_EQ(reason_codes(o), (Reasons{{Reason::INSUFFICIENT_STOCK, 0}}));
  EXPECT_EQ(o.reasons[0].available, 30);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 30}}).status, OrderStatus::accepted);
}

TEST_F(DecideTest, BelowFloorPriceIsRejectedWithoutPriceApproval) {
  w.good_customer("C1");
  OrderView o = w.submit("C1", {{"BOLT", 1, 499}});
  EXPECT_EQ(o.status, OrderStatus::rejected);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::BELOW_FLOOR_PRICE, 0}}));
}

TEST_F(DecideTest, PriceAtFloorIsAllowedToTheGeneralManager) {
  w.good_customer("C1");
  OrderView o = w.submit("C1", {{"BOLT", 1, 500}}, {.by = rep(3)});
  EXPECT_EQ(o.status, OrderStatus::accepted);
  EXPECT_EQ(o.lines[0].discount_bp, 5000);
}

TEST_F(DecideTest, PrepaidOrderBeyondUnappliedBalanceIsRejected) {
  w.customer("C1");
  w.pay("C1", 2999, "P1");
  OrderView o = w.submit("C1", {{"BOLT", 3}}, {.payment = PaymentTerms::prepaid});
  EXPECT_EQ(o.status, OrderStatus::rejected);
  // Credit reasons (grade D, limit 0) do not apply to prepaid orders.
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::PREPAYMENT_REQUIRED, -1}}));
  EXPECT_EQ(w.get_customer("C1").exposure.unapplied, 2999);
}

TEST_F(DecideTest, PrepaidOrderCoveredByBalanceSkipsCreditChecks) {
  w.customer("C1");  // grade D, limit 0
  w.pay("C1", 3000, "P1");
  OrderView o = w.submit("C1", {{"BOLT", 3}}, {.payment = PaymentTerms::prepaid});
  EXPECT_EQ(o.status, OrderStatus::accepted);
  EXPECT_TRUE(o.reasons.empty());
  EXPECT_EQ(o.payment, PaymentTerms::prepaid);
}

TEST_F(DecideTest, OnHoldCustomerOrderIsHeld) {
  w.good_customer("C1");
  w.set_status("C1", CustomerStatus::on_hold);
  OrderView o = w.submit("C1", {{"BOLT", 1}});
  EXPECT_EQ(o.status, OrderStatus::held);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::CUSTOMER_ON_HOLD, -1}}));
}

TEST_F(DecideTest, OnHoldCustomerPrepaidOrderIsHeldToo) {
  w.good_customer("C1");
  w.pay("C1", 5000, "P1");
  w.set_status("C1", CustomerStatus::on_hold);
  OrderView o = w.submit("C1", {{"BOLT", 1}}, {.payment = PaymentTerms::prepaid});
  EXPECT_EQ(o.status, OrderStatus::held);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::CUSTOMER_ON_HOLD, -1}}));
}

TEST_F(DecideTest, GradeDCreditOrderIsHeld) {
  w.customer("C1").grade(Grade::D).limit(100'000'000);
  OrderView o = w.submit("C1", {{"BOLT", 1}});
  EXPECT_EQ(o.status, OrderStatus::held);
  // Grade D: no credit, and an order credit cap of 0 (004 9-02 §5).
  EXPECT_EQ(reason_codes(o),
            (Reasons{{Reason::CREDIT_GRADE, -1}, {Reason::ORDER_CREDIT_CAP, -1}}));
}

TEST_F(DecideTest, NewCustomerIsHeldForGradeAndLimit) {
  w.customer("C1");
  OrderView o = w.submit("C1", {{"BOLT", 1}});
  EXPECT_EQ(o.status, OrderStatus::held);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::CREDIT_GRADE, -1},
                                      {Reason::CREDIT_LIMIT, -1},
                                      {Reason::ORDER_CREDIT_CAP, -1}}));
}

TEST_F(DecideTest, CreditLimitHoldsOnlyWhenExposurePlusTotalExceedsIt) {
  w.customer("C1").grade(Grade::B).limit(10'000);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 10}}).status, OrderStatus::accepted);  // exactly the limit
  OrderView o = w.submit("C1", {{"NUT", 1}});
  EXPECT_EQ(o.status, OrderStatus::held);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::CREDIT_LIMIT, -1}}));
}

TEST_F(DecideTest, HeldOrdersCountInExposureForLaterOrders) {
  w.customer("C1").grade(Grade::B).limit(10'000);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 11}}).status, OrderStatus::held);
  // 11,000 held + 1,000 > 10,000, although this order alone would fit.
  EXPECT_TRUE(has_reason(w.submit("C1", {{"BOLT", 1}}), Reason::CREDIT_LIMIT));
}

TEST_F(DecideTest, OverdueInvoiceHoldsCreditOrdersFromTheDayAfterDue) {
  w.customer("C1").grade(Grade::A).limit(100'000'000).terms(30);
  w.ship(w.submit("C1", {{"BOLT", 1}}).order_no);
  w.advance_days(30);  // due today: not past due yet
  EXPECT_EQ(w.submit("C1", {{"NUT", 1}}).status, OrderStatus::accepted);
  w.advance_days(1);  // 1 day past due
  OrderView o = w.submit("C1", {{"NUT", 1}});
  EXPECT_EQ(o.status, OrderStatus::held);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::OVERDUE, -1}}));
}

TEST_F(DecideTest, DiscountBeyondAuthorityNeedsLowestCoveringLevel) {
  w.good_customer("C1");
  w.product("TOOL").price(10'000).floor(1).stock(100);
  struct Case {
    Money unit;
    int32_t discount_bp;
    int required_level;
  };
  for (Case c : {Case{9'999, 1, 1}, Case{9'700, 300, 1}, Case{9'699, 301, 2}, Case{9'000, 1000, 2},
                 Case{8'999, 1001, 3}}) {
    OrderView o = w.submit("C1", {{"TOOL", 1, c.unit}});
    EXPECT_EQ(o.status, OrderStatus::held) << c.unit;
    EXPECT_EQ(o.lines[0].discount_bp, c.discount_bp) << c.unit;
    ASSERT_EQ(reason_codes(o), (Reasons{{Reason::PRICE_APPROVAL, 0}})) << c.unit;
    EXPECT_EQ(o.reasons[0].required_level, c.required_level) << c.unit;
  }
}

TEST_F(DecideTest, DiscountWithinAuthorityIsAccepted) {
  w.good_customer("C1");
  w.product("TOOL").price(10'000).floor(1).stock(100);
  EXPECT_EQ(w.submit("C1", {{"TOOL", 1, 9'700}}, {.by = rep(1)}).status, OrderStatus::accepted);
  EXPECT_EQ(w.submit("C1", {{"TOOL", 1, 9'000}}, {.by = rep(2)}).status, OrderStatus::accepted);
}

TEST_F(DecideTest, DiscountBpIsRoundedUp) {
  w.good_customer("C1");
  w.product("GEAR").price(3000).floor(1).stock(10);
  OrderView o = w.submit("C1", {{"GEAR", 1, 2999}}, {.by = rep(3)});  // 3.33 bp
  EXPECT_EQ(o.lines[0].discount_bp, 4);
  EXPECT_EQ(o.lines[0].amount, 2999);
}

TEST_F(DecideTest, PriceAboveListIsAllowedWithZeroDiscount) {
  w.good_customer("C1");
  OrderView o = w.submit("C1", {{"BOLT", 2, 1200}});
  EXPECT_EQ(o.status, OrderStatus::accepted);
  EXPECT_EQ(o.lines[0].discount_bp, 0);
  EXPECT_EQ(o.total, 2400);
}

TEST_F(DecideTest, TotalBeyondAuthorityNeedsLowestCoveringLevel) {
  w.customer("C1").grade(Grade::A).limit(1'000'000'000'000);
  w.product("PUMP").price(1'000'000).stock(10'000);                         // 10,000.00 each
  EXPECT_EQ(w.submit("C1", {{"PUMP", 10}}).status, OrderStatus::accepted);  // 100,000.00: rep
  for (auto [qty, level] : {std::pair{11, 1}, std::pair{51, 2}, std::pair{501, 3}}) {
    OrderView o = w.submit("C1", {{"PUMP", qty}});
    EXPECT_EQ(o.status, OrderStatus::held) << qty;
    ASSERT_EQ(reason_codes(o), (Reasons{{Reason::AMOUNT_APPROVAL, -1}})) << qty;
    EXPECT_EQ(o.reasons[0].required_level, level) << qty;
  }
  EXPECT_EQ(w.submit("C1", {{"PUMP", 501}}, {.by = rep(3)}).status, OrderStatus::accepted);
}

TEST_F(DecideTest, EveryReasonIsListedInCheckOrder) {
  w.customer("C1");  // grade D, limit 0
  w.set_status("C1", CustomerStatus::on_hold);
  w.product("CAP").price(1000).floor(900).stock(10);
  OrderView o = w.submit("C1", {{"NOPE", 1}, {"BOLT", 101}, {"CAP", 1, 800}});
  EXPECT_EQ(o.status, OrderStatus::rejected);
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::UNKNOWN_SKU, 0},
                                      {Reason::INSUFFICIENT_STOCK, 1},
                                      {Reason::BELOW_FLOOR_PRICE, 2},
                                      {Reason::CUSTOMER_ON_HOLD, -1},
                                      {Reason::CREDIT_GRADE, -1},
                                      {Reason::CREDIT_LIMIT, -1},
                                      {Reason::ORDER_CREDIT_CAP, -1}}));
}

TEST_F(DecideTest, PriceAndAmountApprovalAreListedTogether) {
  w.customer("C1").grade(Grade::A).limit(1'000'000'000);
  w.product("PUMP").price(1'000'000).floor(1).stock(100);
  OrderView o = w.submit("C1", {{"PUMP", 60, 950'000}});  // 5% off, 57,000,000 total
  EXPECT_EQ(o.status, OrderStatus::held);
  ASSERT_EQ(reason_codes(o), (Reasons{{Reason::PRICE_APPROVAL, 0}, {Reason::AMOUNT_APPROVAL, -1}}));
  EXPECT_EQ(o.reasons[0].required_level, 2);
  EXPECT_EQ(o.reasons[1].required_level, 2);
}

TEST_F(DecideTest, RejectedOrderReservesNothing) {
  w.good_customer("C1");
  w.submit("C1", {{"BOLT", 5}, {"NOPE", 1}});
  EXPECT_EQ(w.get_product("BOLT").reserved, 0);
  EXPECT_EQ(w.get_customer("C1").exposure.total, 0);
}

TEST_F(DecideTest, HeldOrderReservesStockAndCountsAsHeldExposure) {
  w.customer("C1").limit(100'000);  // grade D: held
  w.submit("C1", {{"BOLT", 5}});
  ProductView p = w.get_product("BOLT");
  EXPECT_EQ(p.reserved, 5);
  EXPECT_EQ(p.available, 95);
  CustomerView c = w.get_customer("C1");
  EXPECT_EQ(c.exposure.held, 5000);
  EXPECT_EQ(c.exposure.open_orders, 0);
  EXPECT_EQ(c.exposure.total, 5000);
  EXPECT_EQ(c.available, 95'000);
}

TEST_F(DecideTest, AcceptedOrderReservesStockAndCountsAsOpenOrders) {
  w.customer("C1").grade(Grade::B).limit(100'000);
  w.submit("C1", {{"BOLT", 5}});
  EXPECT_EQ(w.get_product("BOLT").reserved, 5);
  CustomerView c = w.get_customer("C1");
  EXPECT_EQ(c.exposure.open_orders, 5000);
  EXPECT_EQ(c.exposure.held, 0);
  EXPECT_EQ(c.available, 95'000);
}

TEST_F(DecideTest, QuoteDecidesButReservesAndNumbersNothing) {
  w.customer("C1").limit(100'000);
  uint64_t before = w.engine.state_hash();
  OrderView q = w.quote("C1", {{"BOLT", 5}});
  EXPECT_TRUE(q.quote);
  EXPECT_EQ(q.order_no, 0u);
  EXPECT_EQ(q.status, OrderStatus::held);
  EXPECT_EQ(reason_codes(q),
            (Reasons{{Reason::CREDIT_GRADE, -1}, {Reason::ORDER_CREDIT_CAP, -1}}));
  EXPECT_EQ(w.engine.state_hash(), before);
  EXPECT_EQ(w.get_product("BOLT").reserved, 0);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 5}}).order_no, 100001u);
}

TEST_F(DecideTest, BatchDecidesEachOrderOnItsOwnInOrder) {
  w.good_customer("C1");
  SubmitOrders batch;
  batch.orders = {order_request("C1", {{"BOLT", 60}}), order_request("C1", {{"BOLT", 60}}),
                  order_request("NOPE", {{"NUT", 1}})};
  BatchView b = body<BatchView>(w.apply(batch, rep(0)));
  ASSERT_EQ(b.results.size(), 3u);
  EXPECT_EQ(b.results[0].order.status, OrderStatus::accepted);
  EXPECT_EQ(b.results[1].order.status, OrderStatus::rejected);
  ASSERT_EQ(reason_codes(b.results[1].order), (Reasons{{Reason::INSUFFICIENT_STOCK, 0}}));
  EXPECT_EQ(b.results[1].order.reasons[0].available, 40);
  EXPECT_TRUE(has_reason(b.results[2].order, Reason::UNKNOWN_CUSTOMER));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.results[i].order.order_no, 100001u + i);
}

TEST_F(DecideTest, BatchItemWithBadInputFailsAloneWithoutANumber) {
  w.good_customer("C1");
  SubmitOrders batch;
  batch.orders = {order_request("C1", {{"BOLT", 1}}), order_request("C1", {{"BOLT", 0}}),
                  order_request("C1", {{"BOLT", 1}})};
  BatchView b = body<BatchView>(w.apply(batch, rep(0)));
  ASSERT_EQ(b.results.size(), 3u);
  EXPECT_EQ(b.results[0].order.order_no, 100001u);
  EXPECT_EQ(b.results[1].error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(b.results[2].order.order_no, 100002u);
  EXPECT_EQ(w.get_product("BOLT").reserved, 2);
}

TEST_F(DecideTest, SameClientOrderIdReturnsOriginalDecisionAndChangesNothing) {
  w.good_customer("C1");
  OrderView first = w.submit("C1", {{"BOLT", 5}}, {.client_order_id = "PO-1"});
  // (state_hash also covers the journal position, which any applied command advances, so the
  // business state is compared through what it shows.)
  OrderView again = w.submit("C1", {{"BOLT", 7}}, {.client_order_id = "PO-1"});
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.order_no, first.order_no);
  EXPECT_EQ(again.decision, OrderStatus::accepted);
  EXPECT_EQ(again.total, 5000);
  EXPECT_EQ(w.engine.counts().orders, 1u);
  EXPECT_EQ(w.get_product("BOLT").reserved, 5);
  EXPECT_EQ(w.get_customer("C1").exposure.open_orders, 5000);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).order_no, 100002u);
}

TEST_F(DecideTest, DuplicateReportsTheOriginalDecisionAfterRelease) {
  w.customer("C1").limit(100'000);  // grade D: held
  OrderView first = w.submit("C1", {{"BOLT", 1}}, {.client_order_id = "PO-1"});
  ASSERT_EQ(first.status, OrderStatus::held);
  w.release(first.order_no);
  OrderView again = w.submit("C1", {{"BOLT", 1}}, {.client_order_id = "PO-1"});
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.decision, OrderStatus::held);
  EXPECT_EQ(again.order_no, first.order_no);
}

TEST_F(DecideTest, SameClientOrderIdOfAnotherCustomerIsANewOrder) {
  w.good_customer("C1");
  w.good_customer("C2");
  w.submit("C1", {{"BOLT", 1}}, {.client_order_id = "PO-1"});
  OrderView o = w.submit("C2", {{"BOLT", 1}}, {.client_order_id = "PO-1"});
  EXPECT_FALSE(o.duplicate);
  EXPECT_EQ(o.order_no, 100002u);
}

TEST_F(DecideTest, ReceivablesCountTowardTheCreditLimit) {
  w.customer("C1").grade(Grade::B).limit(10'000);
  w.ship(w.submit("C1", {{"BOLT", 8}}).order_no);
  EXPECT_TRUE(has_reason(w.submit("C1", {{"BOLT", 3}}), Reason::CREDIT_LIMIT));
}

TEST_F(DecideTest, UnappliedBalanceRaisesAvailableCredit) {
  w.customer("C1").grade(Grade::B).limit(10'000);
  w.pay("C1", 5000, "P1");
  EXPECT_EQ(w.submit("C1", {{"BOLT", 15}}).status, OrderStatus::accepted);
}

TEST_F(DecideTest, PrepaidOrdersDoNotUseCredit) {
  w.customer("C1").grade(Grade::B).limit(10'000);
  w.pay("C1", 20'000, "P1");
  w.submit("C1", {{"BOLT", 20}}, {.payment = PaymentTerms::prepaid});
  // 20,000 prepaid is set aside, not exposure; 10,000 of credit remains.
  EXPECT_EQ(w.submit("C1", {{"BOLT", 10}}).status, OrderStatus::accepted);
}

TEST_F(DecideTest, SameClientOrderIdTwiceInOneBatchIsDecidedOnce) {
  w.good_customer("C1");
  SubmitOrders batch;
  batch.orders = {order_request("C1", {{"BOLT", 1}}, {.client_order_id = "PO-1"}),
                  order_request("C1", {{"BOLT", 1}}, {.client_order_id = "PO-1"})};
  BatchView b = body<BatchView>(w.apply(batch, rep(0)));
  ASSERT_EQ(b.results.size(), 2u);
  EXPECT_FALSE(b.results[0].order.duplicate);
  EXPECT_TRUE(b.results[1].order.duplicate);
  EXPECT_EQ(b.results[1].order.order_no, b.results[0].order.order_no);
  EXPECT_EQ(w.get_product("BOLT").reserved, 1);
}

TEST_F(DecideTest, QuoteNeedsOrderRole) {
  w.good_customer("C1");
  EXPECT_EQ(w.query(Quote{order_request("C1", {{"BOLT", 1}})}, warehouse()).error.code,
            ErrorCode::FORBIDDEN);
}

TEST_F(DecideTest, UnknownCustomerStillListsLineReasons) {
  OrderView o = w.submit("NOPE", {{"BOLT", 1}, {"GONE", 1}});
  EXPECT_EQ(reason_codes(o), (Reasons{{Reason::UNKNOWN_CUSTOMER, -1}, {Reason::UNKNOWN_SKU, 1}}));
}

}  // namespace
}  // namespace credo::test

// Payment terms beyond credit and prepaid (docs/rules.md "Credit by grade", "Cash on delivery",
// "Deposits"): ORDER_CREDIT_CAP, payment "cod" and payment "deposit", each rule and refusal.
#include <string>

#include "tests/engine/world.h"

namespace credo::test {
namespace {

class PaymentTermsTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).stock(100'000);
    w.customer("A1").grade(Grade::A).limit(1'000'000'000).terms(30);
    w.customer("C1").grade(Grade::C).limit(1'000'000'000).terms(30);
    w.customer("D1").grade(Grade::D).limit(1'000'000'000).terms(30);
  }
  OrderView order(std::string_view customer, Qty bolts, PaymentTerms payment,
                  std::optional<int32_t> deposit_pct = std::nullopt) {
    OrderRequest r = order_request(customer, {{"BOLT", bolts}}, {.payment = payment});
    r.deposit_pct = deposit_pct;
    return body<OrderView>(w.apply(SubmitOrder{r}, rep(3)));
  }
  Result try_order(std::string_view customer, Qty bolts, PaymentTerms payment,
                   std::optional<int32_t> deposit_pct) {
    OrderRequest r = order_request(customer, {{"BOLT", bolts}}, {.payment = payment});
    r.deposit_pct = deposit_pct;
    return w.apply(SubmitOrder{r}, rep(3));
  }
  Result try_deposit(std::string_view customer, Money amount, std::string_view ref, OrderNo n) {
    RecordPayment p{Key::of(customer), amount, Key::of(ref)};
    p.order_no = n;
    return w.apply(p, finance());
  }
  // Expects `r` to be refused with `code` and nothing to have changed since `before`.
  void expect_refused(const Result& r, ErrorCode code, uint64_t before, const char* field = "") {
    EXPECT_EQ(r.error.code, code) << describe(r.error);
    if (*field) {
      EXPECT_EQ(r.error.field, field);
    }
    EXPECT_EQ(w.engine.state_hash(), before);
  }
};

// ---- credit by grade (004 9-02 §5) ----

TEST_F(PaymentTermsTest, GradeCOrderAboveFiftyThousandIsHeldOrderCreditCapAtLevelTwo) {
  // 50,000.00 is the cap: 5,000 bolts at 10.00 is exactly it, one more is above.
  EXPECT_EQ(order("C1", 5'000, PaymentTerms::credit).status, OrderStatus::accepted);
  OrderView o = order("C1", 5'001, PaymentTerms::credit);
  EXPECT_EQ(o.status, OrderStatus::held);
  ASSERT_TRUE(has_reason(o, Reason::ORDER_CREDIT_CAP));
  EXPECT_EQ(find_reason(o, Reason::ORDER_CREDIT_CAP)->required_level, 2);
  EXPECT_EQ(o.reasons.back().code, Reason::ORDER_CREDIT_CAP);
  // A level-1 credit officer may not release it; level 2 may.
  EXPECT_EQ(w.try_release(o.order_no, 1).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.release(o.order_no, 2).status, OrderStatus::accepted);
}

TEST_F(PaymentTermsTest, GradeAHasNoCapAndGradeDIsCappedAtZero) {
  EXPECT_EQ(order("A1", 90'000, PaymentTerms::credit).status, OrderStatus::accepted);
  OrderView d = order("D1", 1, PaymentTerms::credit);
  EXPECT_TRUE(has_reason(d, Reason::CREDIT_GRADE));
  EXPECT_TRUE(has_reason(d, Reason::ORDER_CREDIT_CAP));
}

TEST_F(PaymentTermsTest, TheCapIsPolicyAndCountsInTheDailyReport) {
  Policy p;
  p.max_order_credit_minor_a = 100'000;
  ASSERT_TRUE(w.apply(SetPolicy{p}, admin()).ok());
  EXPECT_EQ(order("A1", 100, PaymentTerms::credit).status, OrderStatus::accepted);
  OrderView o = order("A1", 101, PaymentTerms::credit);
  EXPECT_EQ(o.status, OrderStatus::held);
  EXPECT_TRUE(has_reason(o, Reason::ORDER_CREDIT_CAP));
  DailyReportView r = body<DailyReportView>(w.query(DailyReportQuery{w.today()}));
  EXPECT_EQ(r.holds_by_reason[static_cast<int>(Reason::ORDER_CREDIT_CAP)], 1u);
  // Prepaid orders take no credit: no cap.
  w.pay("A1", 1'000'000, "P1");
  EXPECT_EQ(order("A1", 900, PaymentTerms::prepaid).status, OrderStatus::accepted);
}

TEST_F(PaymentTermsTest, ANegativeCapIsRefusedBySetPolicy) {
  Policy p;
  p.max_order_credit_minor_c = -1;
  Result r = w.apply(SetPolicy{p}, admin());
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "max_order_credit_minor_c");
}

// ---- cash on delivery (004 9-02 §5.4) ----

TEST_F(PaymentTermsTest, CodTakesNoCreditReasonsAndNoExposure) {
  // Grade D, over its cap and (with a 0 limit) over its limit: cash on delivery is accepted.
  w.customer("D1").limit(0);
  const Money exposure = w.get_customer("D1").exposure.total;
  OrderView o = order("D1", 10, PaymentTerms::cod);
  EXPECT_EQ(o.status, OrderStatus::accepted);
  EXPECT_TRUE(o.reasons.empty());
  EXPECT_EQ(w.get_customer("D1").exposure.total, exposure);
}

TEST_F(PaymentTermsTest, ACodInvoiceIsDueOnTheShipDate) {
  OrderView o = order("C1", 10, PaymentTerms::cod);
  ShipView s = w.ship(o.order_no);
  EXPECT_EQ(s.due_date, w.today());
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 10'000);
}

TEST_F(PaymentTermsTest, AnUnpaidCodInvoicePastDueHoldsTheNextCodOrderOverdue) {
  OrderView first = order("C1", 10, PaymentTerms::cod);
  w.ship(first.order_no);
  // Due today: not yet past due.
  EXPECT_EQ(order("C1", 1, PaymentTerms::cod).status, OrderStatus::accepted);
  w.advance_days(1);
  OrderView held = order("C1", 1, PaymentTerms::cod);
  EXPECT_EQ(held.status, OrderStatus::held);
  ASSERT_EQ(held.reasons.size(), 1u);
  EXPECT_EQ(held.reasons[0].code, Reason::OVERDUE);
  // Paid: the next cod order goes through.
  w.pay("C1", 10'000, "COD1");
  EXPECT_EQ(order("C1", 1, PaymentTerms::cod).status, OrderStatus::accepted);
}

// ---- deposits (000 成交要收取定金; 000 #10; 004 P10 二) ----

TEST_F(PaymentTermsTest, ADepositOrderShowsItsDepositAndIsDecidedAsCreditForTheRest) {
  // Grade C, cap 50,000.00: 6,000 bolts (60,000.00) with a 20% deposit leaves 48,000.00 on
  // credit, under the cap.
  OrderView o = order("C1", 6'000, PaymentTerms::deposit, 20);
  EXPECT_EQ(o.status, OrderStatus::accepted);
  EXPECT_EQ(o.deposit_due, 1'200'000);
  EXPECT_EQ(o.deposit_paid, 0);
  // 10% leaves 54,000.00: above the cap.
  EXPECT_TRUE(has_reason(order("C1", 6'000, PaymentTerms::deposit, 10), Reason::ORDER_CREDIT_CAP));
  // Without deposit_pct: the grade's policy default (C: 30%), rounded up.
  EXPECT_EQ(order("C1", 1, PaymentTerms::deposit).deposit_due, 300);
}

TEST_F(PaymentTermsTest, DepositPctOutOfRangeOrWithoutDepositPaymentIsRefused) {
  const uint64_t before = w.engine.state_hash();
  expect_refused(try_order("C1", 1, PaymentTerms::deposit, 0), ErrorCode::BAD_REQUEST, before,
                 "deposit_pct");
  expect_refused(try_order("C1", 1, PaymentTerms::deposit, 101), ErrorCode::BAD_REQUEST, before,
                 "deposit_pct");
  expect_refused(try_order("C1", 1, PaymentTerms::credit, 50), ErrorCode::BAD_REQUEST, before,
                 "deposit_pct");
}

TEST_F(PaymentTermsTest, ADepositOrderCannotShipUntilItsDepositIsPaid) {
  OrderView o = order("A1", 10, PaymentTerms::deposit, 50);  // 100.00, deposit 50.00
  uint64_t before = w.engine.state_hash();
  Result r = w.try_ship(o.order_no);
  expect_refused(r, ErrorCode::INVALID_STATE, before);
  EXPECT_EQ(r.error.reason, "DEPOSIT_UNPAID");
  // Part of it: still refused.
  PaymentView p = body<PaymentView>(try_deposit("A1", 3'000, "DEP1", o.order_no));
  EXPECT_EQ(p.deposit, 3'000);
  EXPECT_EQ(w.get_order(o.order_no).deposit_paid, 3'000);
  before = w.engine.state_hash();
  EXPECT_EQ(w.try_ship(o.order_no).error.reason, "DEPOSIT_UNPAID");
  EXPECT_EQ(w.engine.state_hash(), before);
  // The rest and more: only the deposit is set aside, the rest is unapplied.
  p = body<PaymentView>(try_deposit("A1", 4'000, "DEP2", o.order_no));
  EXPECT_EQ(p.deposit, 2'000);
  EXPECT_EQ(w.get_order(o.order_no).deposit_paid, 5'000);
  // Shipping settles the invoice from the deposit first: 100.00 - 50.00 open, less the 20.00
  // unapplied the eager application uses.
  ShipView s = w.ship(o.order_no);
  EXPECT_EQ(s.amount, 10'000);
  EXPECT_EQ(w.get_customer("A1").exposure.receivables, 3'000);
}

TEST_F(PaymentTermsTest, AnUnpaidDepositExpiresTheOrderAfterDepositTtlDays) {
  OrderView o = order("A1", 10, PaymentTerms::deposit, 50);
  OrderView paid = order("A1", 10, PaymentTerms::deposit, 50);
  ASSERT_TRUE(try_deposit("A1", 5'000, "DEP", paid.order_no).ok());
  w.advance_days(7);
  w.advance_ms(-1);
  w.tick();
  EXPECT_EQ(w.get_order(o.order_no).status, OrderStatus::accepted);
  w.advance_ms(1);
  TickView t = w.tick();
  EXPECT_EQ(t.accepted_expired, 1u);
  EXPECT_EQ(w.get_order(o.order_no).status, OrderStatus::expired);
  EXPECT_EQ(w.get_order(paid.order_no).status, OrderStatus::accepted);
  // The stock it held is free again.
  EXPECT_EQ(w.get_product("BOLT").reserved, 10);
}

TEST_F(PaymentTermsTest, CancellingADepositOrderReturnsItsDepositToUnapplied) {
  OrderView o = order("A1", 10, PaymentTerms::deposit, 50);
  ASSERT_TRUE(try_deposit("A1", 5'000, "DEP", o.order_no).ok());
  EXPECT_EQ(w.get_customer("A1").exposure.unapplied, 0);
  w.cancel(o.order_no, rep(3));
  EXPECT_EQ(w.get_customer("A1").exposure.unapplied, 5'000);
}

TEST_F(PaymentTermsTest, ADepositPaymentForTheWrongOrderIsRefused) {
  OrderView credit = order("A1", 1, PaymentTerms::credit);
  OrderView dep = order("A1", 1, PaymentTerms::deposit, 100);
  const uint64_t before = w.engine.state_hash();
  expect_refused(try_deposit("A1", 100, "X1", 999'999), ErrorCode::NOT_FOUND, before);
  expect_refused(try_deposit("C1", 100, "X2", dep.order_no), ErrorCode::BAD_REQUEST, before,
                 "order_no");
  expect_refused(try_deposit("A1", 100, "X3", credit.order_no), ErrorCode::INVALID_STATE, before,
                 "order_no");
  ASSERT_TRUE(try_deposit("A1", 1'000, "X4", dep.order_no).ok());
  const uint64_t paid = w.engine.state_hash();
  expect_refused(try_deposit("A1", 100, "X5", dep.order_no), ErrorCode::INVALID_STATE, paid,
                 "order_no");
  w.cancel(credit.order_no, rep(3));
}

TEST_F(PaymentTermsTest, ADepositOrderCannotBeAmended) {
  OrderView o = order("A1", 1, PaymentTerms::deposit, 100);
  const uint64_t before = w.engine.state_hash();
  AmendOrder a;
  a.order_no = o.order_no;
  a.amendment_id = Key::of("AM1");
  a.ref = "new ref";
  expect_refused(w.apply(a, rep(3)), ErrorCode::INVALID_STATE, before);
}

TEST_F(PaymentTermsTest, DepositsAndCodSurviveASnapshot) {
  OrderView o = order("A1", 10, PaymentTerms::deposit, 50);
  ASSERT_TRUE(try_deposit("A1", 2'000, "DEP", o.order_no).ok());
  order("C1", 5'001, PaymentTerms::credit);
  Engine copy = snapshot_copy(w.engine);
  // The deposit deadline is in the image: the copy expires the order at the same time.
  w.advance_days(7);
  Command tick;
  tick.seq = w.seq + 1;
  tick.at = w.now;
  tick.by = admin();
  tick.body = Tick{};
  Result r;
  copy.apply(tick, r);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<TickView>(r.body).accepted_expired, 1u);
  w.tick();
  EXPECT_EQ(w.get_order(o.order_no).status, OrderStatus::expired);
  EXPECT_EQ(copy.state_hash(), w.engine.state_hash());
}

}  // namespace
}  // namespace credo::test

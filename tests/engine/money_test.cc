// Money after shipment: payments and their application, prepaid orders, returns and
// write-offs (docs/rules.md "Customers" and "Order lifecycle").
#include "tests/engine/world.h"

namespace credo::test {
namespace {

class MoneyTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).stock(100);
    w.customer("C1").grade(Grade::A).limit(1'000'000).terms(30);
  }
  // Ships `bolts` bolts to C1 at once; returns the order number.
  OrderNo shipped_order(Qty bolts) {
    OrderNo n = w.submit("C1", {{"BOLT", bolts}}).order_no;
    w.ship(n);
    return n;
  }
  void set_terms(int32_t days) {
    w.apply(SetCredit{Key::of("C1"), std::nullopt, std::nullopt, days, "terms"}, credit_officer());
  }
};

std::vector<std::pair<InvoiceNo, Money>> applications(const std::vector<Application>& a) {
  std::vector<std::pair<InvoiceNo, Money>> out;
  for (const Application& x : a) out.emplace_back(x.invoice_no, x.amount);
  return out;
}
using Applied = std::vector<std::pair<InvoiceNo, Money>>;

// ---- payments ----
TEST_F(MoneyTest, PaymentSettlesOldestDueInvoiceFirst) {
  shipped_order(5);  // invoice 1, due in 30 days
  set_terms(10);
  shipped_order(3);  // invoice 2, due in 10 days: the oldest due
  PaymentView p = w.pay("C1", 4000, "P1");
  EXPECT_EQ(applications(p.applied), (Applied{{2, 3000}, {1, 1000}}));
  EXPECT_EQ(p.unapplied, 0);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 4000);
}

TEST_F(MoneyTest, InvoicesDueTheSameDaySettleLowestNumberFirst) {
  shipped_order(2);
  shipped_order(3);
  PaymentView p = w.pay("C1", 2500, "P1");
  EXPECT_EQ(applications(p.applied), (Applied{{1, 2000}, {2, 500}}));
}

TEST_F(MoneyTest, OverpaymentIsHeldAsUnappliedBalance) {
  shipped_order(5);
  PaymentView p = w.pay("C1", 7000, "P1");
  EXPECT_EQ(applications(p.applied), (Applied{{1, 5000}}));
  EXPECT_EQ(p.unapplied, 2000);
  CustomerView c = w.get_customer("C1");
  EXPECT_EQ(c.exposure.receivables, 0);
  EXPECT_EQ(c.exposure.unapplied, 2000);
  EXPECT_EQ(c.exposure.total, -2000);
  EXPECT_EQ(c.available, 1'002'000);
}

TEST_F(MoneyTest, UnappliedBalanceIsOffsetAgainstTheNextInvoiceAtOnce) {
  w.pay("C1", 2000, "P1");
  shipped_order(5);
  CustomerView c = w.get_customer("C1");
  EXPECT_EQ(c.exposure.receivables, 3000);
  EXPECT_EQ(c.exposure.unapplied, 0);
}

TEST_F(MoneyTest, SamePaymentRefAgainIsAnsweredAsDuplicateAndChangesNothing) {
  shipped_order(5);
  PaymentView first = w.pay("C1", 1000, "P1");
  PaymentView again = w.pay("C1", 1000, "P1");
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(applications(again.applied), applications(first.applied));
  EXPECT_EQ(w.engine.counts().payments, 1u);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 4000);
}

TEST_F(MoneyTest, SamePaymentRefWithOtherAmountOrCustomerIsDuplicateError) {
  w.customer("C2");
  w.pay("C1", 1000, "P1");
  uint64_t before = w.engine.state_hash();
  EXPECT_EQ(w.try_pay("C1", 1001, "P1").error.code, ErrorCode::DUPLICATE);
  EXPECT_EQ(w.try_pay("C2", 1000, "P1").error.code, ErrorCode::DUPLICATE);
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(MoneyTest, PaymentAmountMustBePositive) {
  Result r = w.try_pay("C1", 0, "P1");
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "amount");
  EXPECT_EQ(w.try_pay("C1", -5, "P2").error.code, ErrorCode::BAD_REQUEST);
}

TEST_F(MoneyTest, PaymentOfUnknownCustomerIsNotFound) {
  EXPECT_EQ(w.try_pay("NOPE", 100, "P1").error.code, ErrorCode::NOT_FOUND);
}

TEST_F(MoneyTest, PaymentNeedsFinanceRole) {
  RecordPayment p{Key::of("C1"), 100, Key::of("P1")};
  EXPECT_EQ(w.apply(p, warehouse()).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.apply(p, credit_officer()).error.code, ErrorCode::FORBIDDEN);
}

// ---- prepaid ----
TEST_F(MoneyTest, PrepaidOrderReservesBalanceAndShipmentSettlesIt) {
  w.customer("P").terms(30);  // grade D, limit 0: cash customer
  w.pay("P", 5000, "P1");
  OrderNo n = w.submit("P", {{"BOLT", 3}}, {.payment = PaymentTerms::prepaid}).order_no;
  CustomerView c = w.get_customer("P");
  EXPECT_EQ(c.exposure.unapplied, 2000);
  EXPECT_EQ(c.prepaid_reserved, 3000);
  EXPECT_EQ(c.exposure.open_orders, 0);  // prepaid orders are not credit exposure

  ShipView s = w.ship(n);
  EXPECT_EQ(s.amount, 3000);
  c = w.get_customer("P");
  EXPECT_EQ(c.exposure.receivables, 0);
  EXPECT_EQ(c.prepaid_reserved, 0);
  EXPECT_EQ(c.exposure.unapplied, 2000);
}

TEST_F(MoneyTest, CancelledPrepaidOrderReturnsUnshippedRestToBalance) {
  w.customer("P");
  w.pay("P", 5000, "P1");
  OrderNo n = w.submit("P", {{"BOLT", 3}}, {.payment = PaymentTerms::prepaid}).order_no;
  w.ship(n, {{"BOLT", 1}});
  w.cancel(n, rep(1));  // the rest of a partly shipped order: level 1
  CustomerView c = w.get_customer("P");
  EXPECT_EQ(c.prepaid_reserved, 0);
  EXPECT_EQ(c.exposure.unapplied, 4000);
  EXPECT_EQ(c.exposure.receivables, 0);
}

TEST_F(MoneyTest, RejectedHeldPrepaidOrderReturnsBalance) {
  w.customer("P");
  w.pay("P", 5000, "P1");
  w.set_status("P", CustomerStatus::on_hold);
  OrderNo n = w.submit("P", {{"BOLT", 3}}, {.payment = PaymentTerms::prepaid}).order_no;
  EXPECT_EQ(w.get_customer("P").prepaid_reserved, 3000);
  w.reject(n);
  CustomerView c = w.get_customer("P");
  EXPECT_EQ(c.prepaid_reserved, 0);
  EXPECT_EQ(c.exposure.unapplied, 5000);
}

// ---- returns ----
TEST_F(MoneyTest, ReturnWithRestockPutsGoodsBackAndReducesReceivable) {
  OrderNo n = shipped_order(5);
  ReturnView r = w.return_goods(n, {{"BOLT", 2}}, /*restock=*/true);
  EXPECT_EQ(r.credit_note_no, 1u);
  EXPECT_EQ(r.amount, 2000);
  EXPECT_EQ(applications(r.applied), (Applied{{1, 2000}}));
  EXPECT_EQ(r.unapplied, 0);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 3000);
  EXPECT_EQ(w.get_product("BOLT").on_hand, 97);
  OrderView o = w.get_order(n);
  EXPECT_EQ(o.status, OrderStatus::shipped);  // returns do not change the state
  EXPECT_EQ(o.lines[0].returned, 2);
}

TEST_F(MoneyTest, ReturnWithoutRestockLeavesStockAlone) {
  OrderNo n = shipped_order(5);
  w.return_goods(n, {{"BOLT", 2}}, /*restock=*/false);
  EXPECT_EQ(w.get_product("BOLT").on_hand, 95);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 3000);
}

TEST_F(MoneyTest, ReturnOfPaidGoodsBecomesUnappliedBalance) {
  OrderNo n = shipped_order(5);
  w.pay("C1", 5000, "P1");
  ReturnView r = w.return_goods(n, {{"BOLT", 2}}, true);
  EXPECT_TRUE(r.applied.empty());
  EXPECT_EQ(r.unapplied, 2000);
  EXPECT_EQ(w.get_customer("C1").exposure.unapplied, 2000);
}

TEST_F(MoneyTest, CreditNoteRemainderIsAppliedToOtherOpenInvoices) {
  OrderNo paid = shipped_order(5);  // invoice 1
  w.pay("C1", 5000, "P1");
  shipped_order(3);  // invoice 2, open
  ReturnView r = w.return_goods(paid, {{"BOLT", 2}}, true);
  EXPECT_EQ(r.unapplied, 0);
  CustomerView c = w.get_customer("C1");
  EXPECT_EQ(c.exposure.receivables, 1000);
  EXPECT_EQ(c.exposure.unapplied, 0);
}

TEST_F(MoneyTest, ReturnOfMoreThanShippedAndNotReturnedIsBadRequest) {
  OrderNo n = w.submit("C1", {{"BOLT", 10}}).order_no;
  w.ship(n, {{"BOLT", 4}});
  uint64_t before = w.engine.state_hash();
  EXPECT_EQ(w.try_return(n, {{"BOLT", 5}}, true).error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(w.engine.state_hash(), before);
  w.return_goods(n, {{"BOLT", 3}}, true);
  EXPECT_EQ(w.try_return(n, {{"BOLT", 2}}, true).error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(w.try_return(999'999, {{"BOLT", 1}}, true).error.code, ErrorCode::NOT_FOUND);
}

// ---- write-off (the two-step flow and its refusals: write_off_test.cc) ----
TEST_F(MoneyTest, WriteOffClearsTheInvoicesOpenAmount) {
  shipped_order(5);
  w.pay("C1", 1000, "P1");
  WriteOffRecordView v = body<WriteOffRecordView>(w.try_write_off_approved(1));
  EXPECT_EQ(v.invoice_no, 1u);
  EXPECT_EQ(v.amount, 4000);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 0);
  EXPECT_EQ(w.try_propose_write_off(1).error.code, ErrorCode::INVALID_STATE);
}

TEST_F(MoneyTest, WriteOffNeedsFinanceLevelTwoToApprove) {
  shipped_order(5);
  ASSERT_TRUE(w.try_propose_write_off(1).ok());
  EXPECT_EQ(w.try_approve_write_off(1, finance(1)).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.apply(ApproveWriteOff{1, ""}, credit_officer(3)).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 5000);
}

TEST_F(MoneyTest, WriteOffOfUnknownInvoiceIsNotFound) {
  EXPECT_EQ(w.try_propose_write_off(42).error.code, ErrorCode::NOT_FOUND);
}

TEST_F(MoneyTest, ReturnGoodsInOneStepNeedsAdmin) {
  OrderNo n = shipped_order(5);
  ReturnGoods r{n, sku_qty({{"BOLT", 1}}), true, "x"};
  EXPECT_EQ(w.apply(r, finance(3)).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.apply(r, warehouse()).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.apply(r, rep(3)).error.code, ErrorCode::FORBIDDEN);
  EXPECT_TRUE(w.apply(r, admin()).ok());
}

TEST_F(MoneyTest, CreditNoteNumbersAreConsecutive) {
  OrderNo n = shipped_order(5);
  EXPECT_EQ(w.return_goods(n, {{"BOLT", 1}}, true).credit_note_no, 1u);
  EXPECT_EQ(w.return_goods(n, {{"BOLT", 1}}, false).credit_note_no, 2u);
}

}  // namespace
}  // namespace credo::test

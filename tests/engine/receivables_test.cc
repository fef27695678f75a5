// Receivables: reverse_payment, refund, open_items, aging as_of / basis / due_within, and the
// statement's entry kinds and detail (docs/rules.md "Receivables").
#include <string>

#include "tests/engine/world.h"

namespace credo::test {
namespace {

class ReceivablesTest : public EngineTest {
 protected:
  void SetUp() override {
    w.customer("C1").grade(Grade::A).limit(10'000'000).terms(30);
    w.product("BOLT").price(1'000).stock(1'000);
    w.product("NUT").price(250).stock(1'000);
  }
  // An order of `bolts` bolts, shipped: its invoice number.
  InvoiceNo invoice(Qty bolts, std::string_view customer = "C1") {
    const OrderView o = w.submit(customer, {{"BOLT", bolts}});
    return w.ship(o.order_no).invoice_no;
  }
  Result try_reverse(std::string_view ref, std::string reason = "cheque bounced",
                     bool suspend = false, int level = 1) {
    return w.apply(ReversePayment{Key::of(ref), std::move(reason), suspend}, finance(level));
  }
  Result try_refund(Money amount, std::string_view ref, int level = 1,
                    std::string_view customer = "C1") {
    return w.apply(Refund{Key::of(customer), amount, Key::of(ref), "overpaid"}, finance(level));
  }
  AgingView aging_as_of(Day d, std::string_view customer = "C1",
                        AgingBasis basis = AgingBasis::due_date) {
    AgingQuery q;
    q.customer = Key::of(customer);
    q.as_of = d;
    q.basis = basis;
    return body<AgingView>(w.query(q));
  }
  StatementView statement(bool detail = false) {
    return body<StatementView>(
        w.query(StatementQuery{Key::of("C1"), w.today() - 400, w.today(), detail}));
  }
  Result open_items(std::optional<std::string> customer = {}, std::optional<Key> cursor = {},
                    uint32_t limit = 100, std::optional<Day> as_of = {}) {
    OpenItemsQuery q;
    if (customer) q.customer = Key::of(*customer);
    q.cursor = cursor;
    q.limit = limit;
    q.as_of = as_of;
    return w.query(q);
  }
};

// ---- reverse_payment --------------------------------------------------------------------------

TEST_F(ReceivablesTest, ReversedPaymentReopensTheInvoicesItSettled) {
  const InvoiceNo inv = invoice(10);  // 10,000
  w.pay("C1", 6'000, "CHQ1");
  const ReversalView r = body<ReversalView>(try_reverse("CHQ1"));
  ASSERT_EQ(r.reopened.size(), 1u);
  EXPECT_EQ(r.reopened[0].invoice_no, inv);
  EXPECT_EQ(r.reopened[0].amount, 6'000);
  EXPECT_EQ(r.amount, 6'000);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 10'000);
}

TEST_F(ReceivablesTest, ReversalTakesTheUnappliedRestBack) {
  invoice(10);
  w.pay("C1", 15'000, "CHQ1");  // 10,000 applied, 5,000 unapplied
  const ReversalView r = body<ReversalView>(try_reverse("CHQ1"));
  EXPECT_EQ(r.unapplied_taken, 5'000);
  EXPECT_EQ(r.unapplied, 0);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 10'000);
}

TEST_F(ReceivablesTest, ReversalClawsBackWhatTheUnappliedPartAlreadySettled) {
  w.pay("C1", 8'000, "CHQ1");  // all unapplied
  const InvoiceNo later = invoice(5);  // 5,000 settled from the unapplied balance at once
  const ReversalView r = body<ReversalView>(try_reverse("CHQ1"));
  EXPECT_EQ(r.unapplied_taken, 3'000);
  ASSERT_EQ(r.reopened.size(), 1u);
  EXPECT_EQ(r.reopened[0].invoice_no, later);
  EXPECT_EQ(r.reopened[0].amount, 5'000);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 5'000);
  EXPECT_EQ(w.get_customer("C1").exposure.unapplied, 0);
}

TEST_F(ReceivablesTest, ReversalOfARefundedPaymentIsRefusedAndChangesNothing) {
  w.pay("C1", 8'000, "CHQ1");
  body<RefundView>(try_refund(8'000, "RF1"));
  const uint64_t before = w.engine.state_hash();
  const Result r = try_reverse("CHQ1");
  EXPECT_EQ(r.error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(r.error.message.rfind("unapplied_spent", 0), 0u) << r.error.message;
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(ReceivablesTest, ReversalWithSuspendPutsTheCustomerOnHold) {
  invoice(1);
  w.pay("C1", 1'000, "CHQ1");
  const ReversalView r = body<ReversalView>(try_reverse("CHQ1", "bounced", true));
  EXPECT_EQ(r.status, CustomerStatus::on_hold);
  EXPECT_EQ(w.get_customer("C1").status, CustomerStatus::on_hold);
  EXPECT_EQ(w.get_customer("C1").status_reason, "PAYMENT_REVERSED");
}

TEST_F(ReceivablesTest, ReversalWithoutSuspendLeavesTheStatus) {
  invoice(1);
  w.pay("C1", 1'000, "CHQ1");
  EXPECT_EQ(body<ReversalView>(try_reverse("CHQ1")).status, CustomerStatus::active);
}

TEST_F(ReceivablesTest, RepeatedReversalAnswersTheSameAsADuplicate) {
  invoice(10);
  w.pay("C1", 6'000, "CHQ1");
  const ReversalView first = body<ReversalView>(try_reverse("CHQ1"));
  const ReversalView again = body<ReversalView>(try_reverse("CHQ1"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.reopened.size(), first.reopened.size());
  EXPECT_EQ(again.unapplied_taken, first.unapplied_taken);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 10'000);
  EXPECT_EQ(statement().entries.size(), 3u);  // invoice, payment, one reversal
}

TEST_F(ReceivablesTest, ReversingAReversedPaymentByAnotherRequestIsInvalidState) {
  invoice(10);
  w.pay("C1", 6'000, "CHQ1");
  body<ReversalView>(try_reverse("CHQ1", "bounced"));
  const Result r = try_reverse("CHQ1", "bounced again");
  EXPECT_EQ(r.error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(r.error.message.rfind("already_reversed", 0), 0u) << r.error.message;
}

TEST_F(ReceivablesTest, ReversingAnUnknownPaymentIsNotFound) {
  const Result r = try_reverse("NOPE");
  EXPECT_EQ(r.error.code, ErrorCode::NOT_FOUND);
  EXPECT_EQ(r.error.field, "payment_ref");
}

TEST_F(ReceivablesTest, ReversalNeedsFinanceLevelOne) {
  invoice(1);
  w.pay("C1", 1'000, "CHQ1");
  EXPECT_EQ(try_reverse("CHQ1", "bounced", false, 0).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.apply(ReversePayment{Key::of("CHQ1"), "x", false}, credit_officer()).error.code,
            ErrorCode::FORBIDDEN);
}

TEST_F(ReceivablesTest, ReversalWithoutAReasonIsBadRequest) {
  invoice(1);
  w.pay("C1", 1'000, "CHQ1");
  const Result r = try_reverse("CHQ1", std::string(kMaxTextLen + 1, 'x'));
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "reason");
}

// ---- refund -----------------------------------------------------------------------------------

TEST_F(ReceivablesTest, RefundPaysOutUnappliedBalance) {
  w.pay("C1", 5'000, "P1");
  const RefundView r = body<RefundView>(try_refund(2'000, "RF1"));
  EXPECT_EQ(r.amount, 2'000);
  EXPECT_EQ(r.unapplied, 3'000);
  EXPECT_EQ(w.get_customer("C1").exposure.unapplied, 3'000);
}

TEST_F(ReceivablesTest, RefundAboveTheUnappliedBalanceIsRefused) {
  w.pay("C1", 5'000, "P1");
  const Result r = try_refund(5'001, "RF1");
  EXPECT_EQ(r.error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(r.error.field, "amount");
  EXPECT_EQ(r.error.message.rfind("exceeds_unapplied", 0), 0u) << r.error.message;
  EXPECT_EQ(w.get_customer("C1").exposure.unapplied, 5'000);
}

TEST_F(ReceivablesTest, RefundNeedsLevelOne) {
  w.pay("C1", 5'000, "P1");
  const Result r = try_refund(1'000, "RF1", 0);
  EXPECT_EQ(r.error.code, ErrorCode::FORBIDDEN);
  EXPECT_NE(r.error.message.find("level"), std::string::npos) << r.error.message;
}

TEST_F(ReceivablesTest, RefundIsIdempotentByRefundRef) {
  w.pay("C1", 5'000, "P1");
  body<RefundView>(try_refund(2'000, "RF1"));
  const RefundView again = body<RefundView>(try_refund(2'000, "RF1"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(w.get_customer("C1").exposure.unapplied, 3'000);
  EXPECT_EQ(try_refund(1'000, "RF1").error.code, ErrorCode::DUPLICATE);
}

TEST_F(ReceivablesTest, RefundToAnUnknownCustomerIsNotFound) {
  EXPECT_EQ(try_refund(1, "RF1", 1, "NOBODY").error.code, ErrorCode::NOT_FOUND);
}

// ---- statement --------------------------------------------------------------------------------

TEST_F(ReceivablesTest, StatementShowsReversalsAndRefundsAsTheirOwnEntries) {
  invoice(10);
  w.pay("C1", 12'000, "CHQ1");
  body<RefundView>(try_refund(1'000, "RF1"));
  w.pay("C1", 3'000, "CHQ2");
  body<ReversalView>(try_reverse("CHQ2"));
  const StatementView st = statement();
  ASSERT_EQ(st.entries.size(), 5u);
  EXPECT_EQ(st.entries[2].kind, EntryKind::refund);
  EXPECT_EQ(st.entries[2].ref.view(), "RF1");
  EXPECT_EQ(st.entries[2].amount, 1'000);
  EXPECT_EQ(st.entries[4].kind, EntryKind::reversal);
  EXPECT_EQ(st.entries[4].ref.view(), "CHQ2");
  EXPECT_EQ(st.entries[4].amount, 3'000);
  // opening + invoices - payments + reversals + refunds
  EXPECT_EQ(st.closing_balance, 0 + 10'000 - 12'000 + 1'000 - 3'000 + 3'000);
}

TEST_F(ReceivablesTest, StatementInvoicesShowTheirOrderAndWithDetailTheirLines) {
  const OrderView o = w.submit("C1", {{"BOLT", 2}, {"NUT", 4}});
  w.ship(o.order_no);
  const StatementView plain = statement();
  ASSERT_EQ(plain.entries.size(), 1u);
  EXPECT_EQ(plain.entries[0].order_no, o.order_no);
  EXPECT_TRUE(plain.entries[0].lines.empty());
  const StatementView detailed = statement(true);
  ASSERT_EQ(detailed.entries[0].lines.size(), 2u);
  EXPECT_EQ(detailed.entries[0].lines[0].sku.view(), "BOLT");
  EXPECT_EQ(detailed.entries[0].lines[0].qty, 2);
  EXPECT_EQ(detailed.entries[0].lines[0].amount, 2'000);
  EXPECT_EQ(detailed.entries[0].lines[1].sku.view(), "NUT");
  EXPECT_EQ(detailed.entries[0].lines[1].amount, 1'000);
}

// ---- aging ------------------------------------------------------------------------------------

TEST_F(ReceivablesTest, AgingAsOfAPastDayShowsTheBalanceOfThatDay) {
  invoice(10);
  const Day d0 = w.today();
  w.advance_days(40);
  w.pay("C1", 4'000, "P1");
  w.advance_days(10);
  const AgingView then = aging_as_of(d0 + 35);  // 5 days past due, nothing paid yet
  EXPECT_EQ(then.buckets.d1_30, 10'000);
  EXPECT_EQ(then.buckets.total, 10'000);
  const AgingView now = aging_as_of(w.today());  // 20 days past due, 6,000 open
  EXPECT_EQ(now.buckets.d1_30, 6'000);
  EXPECT_EQ(now.buckets.total, 6'000);
  EXPECT_EQ(aging_as_of(d0 - 1).buckets.total, 0);  // before the invoice
}

TEST_F(ReceivablesTest, AgingAsOfTodayEqualsAgingNow) {
  const OrderNo second = w.submit("C1", {{"BOLT", 3}}).order_no;
  invoice(10);
  w.advance_days(45);
  // The first invoice is overdue now: supply is stopped until credit releases this shipment.
  ASSERT_TRUE(w.apply(ReleaseShipment{second, "paid by Friday"}, credit_officer(2)).ok());
  w.ship(second);
  w.pay("C1", 12'500, "P1");
  w.pay("C1", 900, "P2");
  body<ReversalView>(try_reverse("P2"));
  w.advance_days(2);
  AgingQuery now;
  now.customer = Key::of("C1");
  const AgingView live = body<AgingView>(w.query(now));
  const AgingView history = aging_as_of(w.today());
  EXPECT_EQ(history.buckets.total, live.buckets.total);
  EXPECT_EQ(history.buckets.current, live.buckets.current);
  EXPECT_EQ(history.buckets.d1_30, live.buckets.d1_30);
  EXPECT_EQ(history.buckets.d31_60, live.buckets.d31_60);
  EXPECT_GT(live.buckets.total, 0);
}

TEST_F(ReceivablesTest, AgingAsOfAPastDayWithoutACustomerIsBadRequest) {
  AgingQuery q;
  q.as_of = w.today() - 1;
  const Result r = w.query(q);
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "as_of");
}

TEST_F(ReceivablesTest, AgingByInvoiceDateCountsFromTheInvoiceDate) {
  invoice(10);  // terms 30
  w.advance_days(20);
  AgingQuery q;
  q.customer = Key::of("C1");
  q.basis = AgingBasis::invoice_date;
  const AgingView v = body<AgingView>(w.query(q));
  EXPECT_EQ(v.buckets.d1_30, 10'000);  // 20 days since the invoice, not yet due
  EXPECT_EQ(w.aging("C1").current, 10'000);
}

TEST_F(ReceivablesTest, AgingDueWithinSumsWhatFallsDueSoon) {
  invoice(10);  // due in 30 days
  w.customer("C1").terms(60);
  invoice(3);  // due in 60 days
  AgingQuery q;
  q.due_within_days = 31;
  const AgingView v = body<AgingView>(w.query(q));
  EXPECT_EQ(v.due_within, 10'000);
  q.due_within_days = 60;
  EXPECT_EQ(body<AgingView>(w.query(q)).due_within, 13'000);
}

// ---- open_items -------------------------------------------------------------------------------

TEST_F(ReceivablesTest, OpenItemsListOneRowPerOpenInvoiceWithItsStage) {
  Policy p;
  p.doubtful_after_days = 60;
  body<PolicyView>(w.apply(SetPolicy{p}, admin()));
  const OrderNo second = w.submit("C1", {{"BOLT", 2}}).order_no;
  const InvoiceNo a = invoice(10);
  w.advance_days(65);
  // The first invoice is overdue now: supply is stopped until credit releases this shipment.
  ASSERT_TRUE(w.apply(ReleaseShipment{second, "paid by Friday"}, credit_officer(2)).ok());
  const InvoiceNo b = w.ship(second).invoice_no;
  w.advance_days(40);  // a: 75 days past due, b: 10 days past due
  const OpenItemsView v = body<OpenItemsView>(open_items());
  ASSERT_EQ(v.items.size(), 2u);
  EXPECT_EQ(v.items[0].invoice_no, a);
  EXPECT_EQ(v.items[0].days_past_due, 75);
  EXPECT_EQ(v.items[0].stage, CollectionStage::doubtful);
  EXPECT_EQ(v.items[1].invoice_no, b);
  EXPECT_EQ(v.items[1].stage, CollectionStage::overdue);
  EXPECT_TRUE(v.next_cursor.empty());
}

TEST_F(ReceivablesTest, OpenItemsStagesFollowTheDaysPastDue) {
  invoice(1);
  const Day due = w.today() + 30;
  auto stage_on = [&](Day d) {
    return body<OpenItemsView>(open_items({}, {}, 100, d)).items.at(0).stage;
  };
  EXPECT_EQ(stage_on(due), CollectionStage::current);
  EXPECT_EQ(stage_on(due + 30), CollectionStage::overdue);
  EXPECT_EQ(stage_on(due + 31), CollectionStage::dunning);
  EXPECT_EQ(stage_on(due + 90), CollectionStage::dunning);
  EXPECT_EQ(stage_on(due + 91), CollectionStage::doubtful);
}

TEST_F(ReceivablesTest, OpenItemsPagesReturnEveryRowOnce) {
  w.customer("C2").grade(Grade::A).limit(10'000'000);
  for (int i = 0; i < 5; ++i) {
    invoice(1);
    invoice(2, "C2");
  }
  std::optional<Key> cursor;
  std::size_t rows = 0;
  Money open = 0;
  do {
    const OpenItemsView page = body<OpenItemsView>(open_items({}, cursor, 3));
    EXPECT_LE(page.items.size(), 3u);
    rows += page.items.size();
    for (const OpenItemRow& row : page.items) open += row.open;
    cursor = page.next_cursor.empty() ? std::nullopt : std::optional<Key>(page.next_cursor);
  } while (cursor);
  EXPECT_EQ(rows, 10u);
  EXPECT_EQ(open, w.get_customer("C1").exposure.receivables +
                      w.get_customer("C2").exposure.receivables);
}

TEST_F(ReceivablesTest, OpenItemsRefuseABadCursorAndAnUnknownCustomer) {
  invoice(1);
  EXPECT_EQ(open_items({}, Key::of("x.y")).error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(open_items({}, Key::of("99.0")).error.field, "cursor");
  EXPECT_EQ(open_items(std::string("NOBODY")).error.code, ErrorCode::NOT_FOUND);
  EXPECT_EQ(open_items({}, {}, 0).error.field, "limit");
}

// ---- history survives a snapshot ------------------------------------------------------------

TEST_F(ReceivablesTest, SnapshotKeepsTheHistoryWithTheSameHash) {
  invoice(10);
  w.pay("C1", 12'000, "CHQ1");
  body<RefundView>(try_refund(500, "RF1"));
  w.advance_days(3);
  w.pay("C1", 100, "CHQ2");
  body<ReversalView>(try_reverse("CHQ2", "bounced", true));
  Engine loaded = snapshot_copy(w.engine);
  // The reversal index came back: a different reversal of CHQ2 is still refused.
  Command c;
  c.at = w.now;
  c.by = finance(1);
  c.body = ReversePayment{Key::of("CHQ2"), "other", false};
  Result r;
  loaded.apply(c, r);
  EXPECT_EQ(r.error.code, ErrorCode::INVALID_STATE);
}

}  // namespace
}  // namespace credo::test

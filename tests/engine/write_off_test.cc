// Write-offs (docs/rules.md "Write-offs and recoveries"): proposed with a criterion, approved by
// a second finance principal of level 2 or more, kept in a register; money or goods that come
// back for a written-off invoice are a recovery, never the customer's credit.
#include <gtest/gtest.h>

#include <string>

#include "tests/engine/world.h"

namespace credo::test {
namespace {

class WriteOffTest : public EngineTest {
 protected:
  void SetUp() override {
    w.good_customer("C1");
    w.good_customer("C2");
    w.product("BOLT").price(1'000).stock(1'000);
  }
  // Ships `qty` bolts to `customer` (terms 30 days); returns the order.
  OrderNo shipped(Qty qty, std::string_view customer = "C1") {
    OrderNo n = w.submit(customer, {{"BOLT", qty}}).order_no;
    w.ship(n);
    return n;
  }
  WriteOffRecordView propose(InvoiceNo n, WriteOffReason code = WriteOffReason::bankrupt) {
    return body<WriteOffRecordView>(w.try_propose_write_off(n, code));
  }
  WriteOffRecordView written_off(InvoiceNo n) {
    return body<WriteOffRecordView>(w.try_write_off_approved(n));
  }
  PaymentView pay_recovery(Money amount, std::string_view ref, InvoiceNo of) {
    RecordPayment p{Key::of("C1"), amount, Key::of(ref)};
    p.recovery_of = of;
    return body<PaymentView>(w.apply(p, finance()));
  }
  void expect_refused(const Result& r, ErrorCode code, std::string_view reason = {}) {
    EXPECT_EQ(r.error.code, code) << describe(r.error);
    EXPECT_EQ(r.error.reason, reason) << describe(r.error);
  }
  WriteOffList list(ListWriteOffs q = {}) { return body<WriteOffList>(w.query(q)); }
};

// ---- two approvers -------------------------------------------------------------------------
TEST_F(WriteOffTest, AProposalChangesNothingUntilASecondPrincipalApprovesIt) {
  shipped(5);
  WriteOffRecordView p = propose(1);
  EXPECT_EQ(p.write_off_no, 1u);
  EXPECT_EQ(p.status, WriteOffStatus::proposed);
  EXPECT_EQ(p.amount, 5'000);
  EXPECT_EQ(p.proposed_by, Key::of("fin-clerk"));
  EXPECT_TRUE(p.approved_by.empty());
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 5'000);

  WriteOffRecordView a = body<WriteOffRecordView>(w.try_approve_write_off(1));
  EXPECT_EQ(a.status, WriteOffStatus::approved);
  EXPECT_EQ(a.amount, 5'000);
  EXPECT_EQ(a.approved_by, Key::of("fin"));
  EXPECT_EQ(a.note, "approved");
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 0);
}

TEST_F(WriteOffTest, ApprovingOnesOwnProposalIsForbidden) {
  shipped(5);
  ASSERT_TRUE(w.try_propose_write_off(1, WriteOffReason::bankrupt, finance(3)).ok());
  const uint64_t before = w.engine.state_hash();
  expect_refused(w.try_approve_write_off(1, finance(3)), ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(WriteOffTest, ApprovalNeedsFinanceLevelTwo) {
  shipped(5);
  propose(1);
  const Result r = w.try_approve_write_off(1, principal("fin-b", kRoleFinance, 1));
  expect_refused(r, ErrorCode::FORBIDDEN);
  EXPECT_NE(r.error.message.find("level 2"), std::string::npos) << r.error.message;
  expect_refused(w.try_approve_write_off(1, credit_officer(3)), ErrorCode::FORBIDDEN);
}

TEST_F(WriteOffTest, ProposalNeedsTheFinanceRole) {
  shipped(5);
  expect_refused(w.try_propose_write_off(1, WriteOffReason::bankrupt, credit_officer(3)),
                 ErrorCode::FORBIDDEN);
  expect_refused(w.try_propose_write_off(1, WriteOffReason::bankrupt, rep(3)),
                 ErrorCode::FORBIDDEN);
}

// ---- criteria --------------------------------------------------------------------------------
TEST_F(WriteOffTest, UncollectibleNeedsMoreThanTheMinimumDaysPastDue) {
  shipped(5);  // due in 30 days
  w.advance_days(30 + 365);
  const uint64_t before = w.engine.state_hash();
  const Result r = w.try_propose_write_off(1, WriteOffReason::uncollectible);
  expect_refused(r, ErrorCode::INVALID_STATE, "not_past_due_enough");
  EXPECT_EQ(r.error.field, "reason_code");
  EXPECT_EQ(w.engine.state_hash(), before);
  w.advance_days(1);
  EXPECT_EQ(propose(1, WriteOffReason::uncollectible).reason_code, WriteOffReason::uncollectible);
}

TEST_F(WriteOffTest, BankruptcyDeathAndSettlementNeedNoAge) {
  for (InvoiceNo n = 1; n <= 3; ++n) shipped(1);
  EXPECT_EQ(propose(1, WriteOffReason::bankrupt).status, WriteOffStatus::proposed);
  EXPECT_EQ(propose(2, WriteOffReason::deceased).status, WriteOffStatus::proposed);
  EXPECT_EQ(propose(3, WriteOffReason::settlement).status, WriteOffStatus::proposed);
}

TEST_F(WriteOffTest, TheMinimumAgeIsPolicy) {
  Policy p;
  p.writeoff_min_days_past_due = 10;
  ASSERT_TRUE(w.apply(SetPolicy{p}, admin()).ok());
  shipped(5);
  w.advance_days(41);
  EXPECT_TRUE(w.try_propose_write_off(1, WriteOffReason::uncollectible).ok());
}

TEST_F(WriteOffTest, ASecondProposalForTheSameInvoiceIsRefused) {
  shipped(5);
  propose(1);
  expect_refused(w.try_propose_write_off(1), ErrorCode::INVALID_STATE, "already_proposed");
}

TEST_F(WriteOffTest, ASettledInvoiceIsNotWrittenOff) {
  shipped(5);
  w.pay("C1", 5'000, "P1");
  expect_refused(w.try_propose_write_off(1), ErrorCode::INVALID_STATE, "nothing_open");
}

TEST_F(WriteOffTest, ApprovingTwiceIsRefused) {
  shipped(5);
  written_off(1);
  expect_refused(w.try_approve_write_off(1), ErrorCode::INVALID_STATE, "already_approved");
  expect_refused(w.try_approve_write_off(2), ErrorCode::NOT_FOUND);
}

TEST_F(WriteOffTest, AnInvoicePaidBeforeApprovalIsNotWrittenOff) {
  shipped(5);
  propose(1);
  w.pay("C1", 5'000, "P1");
  expect_refused(w.try_approve_write_off(1), ErrorCode::INVALID_STATE, "nothing_open");
}

TEST_F(WriteOffTest, ApprovalWritesOffWhatIsStillOpen) {
  shipped(5);
  propose(1);
  w.pay("C1", 1'500, "P1");
  EXPECT_EQ(body<WriteOffRecordView>(w.try_approve_write_off(1)).amount, 3'500);
}

// ---- the one-step write_off --------------------------------------------------------------------
TEST_F(WriteOffTest, SingleStepWriteOffIsForbiddenByDefault) {
  shipped(5);
  const uint64_t before = w.engine.state_hash();
  const Result r = w.try_write_off(1);
  expect_refused(r, ErrorCode::FORBIDDEN);
  EXPECT_NE(r.error.message.find("second approver"), std::string::npos) << r.error.message;
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(WriteOffTest, SingleStepWriteOffWhereThePolicyAllowsOneApprover) {
  Policy p;
  p.single_approval_write_off = true;
  ASSERT_TRUE(w.apply(SetPolicy{p}, admin()).ok());
  shipped(5);
  WriteOffView v = body<WriteOffView>(w.try_write_off(1));
  EXPECT_EQ(v.amount, 5'000);
  EXPECT_EQ(v.write_off_no, 1u);
  expect_refused(w.try_write_off(1, /*level=*/1), ErrorCode::FORBIDDEN);
  WriteOffList l = list();
  ASSERT_EQ(l.write_offs.size(), 1u);
  EXPECT_EQ(l.write_offs[0].reason_code, WriteOffReason::unspecified);
  EXPECT_EQ(l.write_offs[0].proposed_by, l.write_offs[0].approved_by);
}

// ---- the register ------------------------------------------------------------------------------
TEST_F(WriteOffTest, TheRegisterListsEveryWriteOffInTheOrderProposed) {
  shipped(1);
  shipped(2, "C2");
  shipped(3);
  written_off(1);
  propose(2);
  w.advance_days(2);
  propose(3);
  WriteOffList all = list();
  ASSERT_EQ(all.write_offs.size(), 3u);
  EXPECT_EQ(all.write_offs[0].status, WriteOffStatus::approved);
  EXPECT_EQ(all.write_offs[1].customer, Key::of("C2"));
  EXPECT_EQ(all.next_cursor, 0u);

  ListWriteOffs q;
  q.customer = Key::of("C1");
  WriteOffList c1 = list(q);
  ASSERT_EQ(c1.write_offs.size(), 2u);
  EXPECT_EQ(c1.write_offs[1].invoice_no, 3u);

  ListWriteOffs later;
  later.from = w.today();
  ASSERT_EQ(list(later).write_offs.size(), 1u);
  ListWriteOffs earlier;
  earlier.to = w.today() - 1;
  ASSERT_EQ(list(earlier).write_offs.size(), 2u);
}

TEST_F(WriteOffTest, TheRegisterPagesWithACursor) {
  for (InvoiceNo n = 1; n <= 5; ++n) {
    shipped(1);
    propose(n);
  }
  ListWriteOffs q;
  q.limit = 2;
  std::vector<uint64_t> seen;
  for (int page = 0; page < 10; ++page) {
    WriteOffList l = list(q);
    for (const auto& row : l.write_offs) seen.push_back(row.write_off_no);
    if (l.next_cursor == 0) break;
    q.cursor = l.next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
}

TEST_F(WriteOffTest, TheRegisterRefusesBadFilters) {
  ListWriteOffs q;
  q.customer = Key::of("NOPE");
  expect_refused(w.query(q), ErrorCode::NOT_FOUND);
  ListWriteOffs dates;
  dates.from = w.today();
  dates.to = w.today() - 1;
  EXPECT_EQ(w.query(dates).error.field, "from");
  ListWriteOffs cursor;
  cursor.cursor = 7;
  EXPECT_EQ(w.query(cursor).error.field, "cursor");
  ListWriteOffs limit;
  limit.limit = 0;
  EXPECT_EQ(w.query(limit).error.field, "limit");
}

// ---- recoveries --------------------------------------------------------------------------------
TEST_F(WriteOffTest, MoneyForAWrittenOffInvoiceIsARecoveryNotCredit) {
  shipped(5);
  written_off(1);
  PaymentView p = pay_recovery(2'000, "R1", 1);
  ASSERT_EQ(p.recovered.size(), 1u);
  EXPECT_EQ(p.recovered[0].invoice_no, 1u);
  EXPECT_EQ(p.recovered[0].amount, 2'000);
  EXPECT_EQ(p.unapplied, 0);
  EXPECT_EQ(w.get_customer("C1").exposure.unapplied, 0);
  EXPECT_EQ(list().write_offs[0].recovered, 2'000);

  StatementView s =
      body<StatementView>(w.query(StatementQuery{Key::of("C1"), w.today(), w.today()}));
  ASSERT_EQ(s.entries.size(), 4u);  // invoice, write-off, recovery, payment
  EXPECT_EQ(s.entries[2].kind, EntryKind::recovery);
  EXPECT_EQ(s.entries[2].number, 1u);
  EXPECT_EQ(s.entries[2].amount, 2'000);
  EXPECT_EQ(s.entries[3].kind, EntryKind::payment);
  EXPECT_EQ(s.closing_balance, 0);

  DailyReportView d = body<DailyReportView>(w.query(DailyReportQuery{w.today()}));
  EXPECT_EQ(d.recoveries, 1u);
  EXPECT_EQ(d.recovered, 2'000);
  EXPECT_EQ(d.payments_received, 2'000);
}

TEST_F(WriteOffTest, ARecoveryNeverExceedsWhatWasWrittenOff) {
  shipped(5);
  written_off(1);
  RecordPayment p{Key::of("C1"), 5'001, Key::of("R1")};
  p.recovery_of = 1;
  const uint64_t before = w.engine.state_hash();
  const Result r = w.apply(p, finance());
  expect_refused(r, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "amount");
  EXPECT_EQ(w.engine.state_hash(), before);
  pay_recovery(5'000, "R2", 1);
  p.payment_ref = Key::of("R3");
  p.amount = 1;
  expect_refused(w.apply(p, finance()), ErrorCode::INVALID_STATE, "not_written_off");
}

TEST_F(WriteOffTest, RecoveryOfAnInvoiceNotWrittenOffOrNotTheirsIsRefused) {
  shipped(5);
  shipped(1, "C2");
  RecordPayment p{Key::of("C1"), 100, Key::of("R1")};
  p.recovery_of = 1;
  expect_refused(w.apply(p, finance()), ErrorCode::INVALID_STATE, "not_written_off");
  p.recovery_of = 2;
  EXPECT_EQ(w.apply(p, finance()).error.field, "recovery_of");
  p.recovery_of = 99;
  expect_refused(w.apply(p, finance()), ErrorCode::NOT_FOUND);
}

TEST_F(WriteOffTest, PaymentFromACustomerWhoseOnlyDebtsAreWrittenOffRecoversOldestFirst) {
  shipped(5);
  shipped(3);
  written_off(1);
  written_off(2);
  PaymentView p = w.pay("C1", 6'000, "P1");
  ASSERT_EQ(p.recovered.size(), 2u);
  EXPECT_EQ(p.recovered[0].amount, 5'000);
  EXPECT_EQ(p.recovered[1].invoice_no, 2u);
  EXPECT_EQ(p.recovered[1].amount, 1'000);
  EXPECT_EQ(p.unapplied, 0);
  PaymentView rest = w.pay("C1", 3'000, "P2");
  ASSERT_EQ(rest.recovered.size(), 1u);
  EXPECT_EQ(rest.recovered[0].amount, 2'000);
  EXPECT_EQ(rest.unapplied, 1'000);  // beyond every written-off debt: the customer's credit
  // The same payment again answers the original, recoveries included.
  PaymentView again = w.pay("C1", 3'000, "P2");
  EXPECT_TRUE(again.duplicate);
  ASSERT_EQ(again.recovered.size(), 1u);
  EXPECT_EQ(again.recovered[0].amount, 2'000);
}

TEST_F(WriteOffTest, APaymentWithOpenInvoicesSettlesThemNotWrittenOffOnes) {
  shipped(5);
  written_off(1);
  shipped(2);  // invoice 2, open
  PaymentView p = w.pay("C1", 2'000, "P1");
  EXPECT_TRUE(p.recovered.empty());
  ASSERT_EQ(p.applied.size(), 1u);
  EXPECT_EQ(p.applied[0].invoice_no, 2u);
}

TEST_F(WriteOffTest, AReturnAgainstAWrittenOffInvoiceCreatesNoCredit) {
  OrderNo n = shipped(5);
  w.pay("C1", 1'000, "P1");
  written_off(1);  // 4,000 written off
  ReturnView r = w.return_goods(n, {{"BOLT", 2}}, true);
  EXPECT_EQ(r.amount, 2'000);
  ASSERT_EQ(r.recovered.size(), 1u);
  EXPECT_EQ(r.recovered[0].amount, 2'000);
  EXPECT_EQ(r.unapplied, 0);
  // Goods beyond the written-off debt were paid for: that part is the customer's credit.
  ReturnView more = w.return_goods(n, {{"BOLT", 3}}, true);
  EXPECT_EQ(more.recovered[0].amount, 2'000);
  EXPECT_EQ(more.unapplied, 1'000);
  EXPECT_EQ(list().write_offs[0].recovered, 4'000);
}

TEST_F(WriteOffTest, SnapshotKeepsTheRegisterAndRecoveries) {
  shipped(5);
  shipped(2);
  written_off(1);
  propose(2);
  pay_recovery(1'000, "R1", 1);
  Engine copy = snapshot_copy(w.engine);
  // The loaded engine knows the pending proposal and the recovery (its indexes were rebuilt).
  Command c;
  c.at = w.now;
  c.by = finance_clerk();
  c.body = ProposeWriteOff{2, WriteOffReason::bankrupt, "again"};
  Result r;
  copy.apply(c, r);
  EXPECT_EQ(r.error.reason, "already_proposed");
  EXPECT_EQ(copy.check_invariants(true), "");
}

}  // namespace
}  // namespace credo::test

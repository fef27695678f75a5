// Credit master data is approved, recorded and reviewed (docs/rules.md, "Credit data"): limit
// raises beyond the caller's authority become proposals, every change is kept in the credit
// history, and each customer is reviewed on its grade's cycle.
#include "tests/engine/world.h"

namespace credo::test {
namespace {

// Default credit_limit_max_minor: 0 / 100,000.00 / 1,000,000.00 / no limit.
constexpr Money kLevel1Max = 10'000'000;
constexpr Money kLevel2Max = 100'000'000;

Principal officer(std::string_view name, int level) {
  return principal(name, kRoleCredit, static_cast<uint8_t>(level));
}

class CreditDataTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).stock(1000);
    w.customer("C1").grade(Grade::A).limit(1'000'000);
  }
  Result set_limit(std::string_view customer, Money limit, const Principal& by,
                   std::string reason = "bank reference") {
    SetCredit c;
    c.customer = Key::of(customer);
    c.credit_limit = limit;
    c.reason = std::move(reason);
    return w.apply(c, by);
  }
  // A pending proposal to raise C1 to `limit`, made by a level-0 clerk "clerk".
  ProposalNo propose(Money limit) {
    return body<CreditProposalView>(set_limit("C1", limit, officer("clerk", 0))).proposal_no;
  }
  Result approve(ProposalNo no, const Principal& by) { return w.apply(ApproveCredit{no, ""}, by); }
  CreditHistoryView history(std::string_view customer, uint32_t limit = 100) {
    return body<CreditHistoryView>(w.query(GetCreditHistory{Key::of(customer), limit}));
  }
};

// ---- authority over limits (003 四(二)2, 001 §2.2) ----
TEST_F(CreditDataTest, LevelZeroClerkRaisingALimitMakesAProposalNotAChange) {
  const uint64_t before = w.engine.state_hash();
  Result r = set_limit("C1", 2'000'000, officer("clerk", 0));
  const CreditProposalView p = body<CreditProposalView>(r);
  EXPECT_NE(w.engine.state_hash(), before);  // the proposal is state
  EXPECT_EQ(p.status, ProposalStatus::pending);
  EXPECT_EQ(p.proposal_no, 1u);
  EXPECT_EQ(p.credit_limit, 2'000'000);
  EXPECT_EQ(p.current_limit, 1'000'000);
  EXPECT_EQ(p.required_level, 1);
  EXPECT_EQ(p.proposed_by.view(), "clerk");
  EXPECT_EQ(w.get_customer("C1").credit_limit, 1'000'000);
}

TEST_F(CreditDataTest, RaiseWithinTheCallersAuthorityTakesEffectAtOnce) {
  const CustomerView c = body<CustomerView>(set_limit("C1", kLevel1Max, officer("mgr", 1)));
  EXPECT_EQ(c.credit_limit, kLevel1Max);
  EXPECT_TRUE(std::holds_alternative<CreditProposalView>(
      set_limit("C1", kLevel1Max + 1, officer("mgr", 1)).body));
}

TEST_F(CreditDataTest, LoweringALimitOrWorseningTheGradeNeedsNoApproval) {
  EXPECT_EQ(body<CustomerView>(set_limit("C1", 500, officer("clerk", 0))).credit_limit, 500);
  SetCredit worse;
  worse.customer = Key::of("C1");
  worse.grade = Grade::C;
  EXPECT_EQ(body<CustomerView>(w.apply(worse, officer("clerk", 0))).grade, Grade::C);
}

TEST_F(CreditDataTest, AdminIsBoundByItsOwnLevel) {
  const Principal admin1 = principal("boss", kRoleAdmin, 1);
  EXPECT_TRUE(std::holds_alternative<CreditProposalView>(set_limit("C1", kLevel2Max, admin1).body));
  EXPECT_EQ(w.get_customer("C1").credit_limit, 1'000'000);
}

TEST_F(CreditDataTest, NewCustomerAboveAuthorityIsCreatedWithZeroLimitAndAProposal) {
  UpsertCustomer u;
  u.customer = Key::of("NEW");
  u.grade = Grade::B;
  u.credit_limit = 5'000'000;
  const CreditProposalView p = body<CreditProposalView>(w.apply(u, officer("clerk", 0)));
  EXPECT_EQ(p.credit_limit, 5'000'000);
  EXPECT_EQ(p.current_limit, 0);
  const CustomerView c = w.get_customer("NEW");
  EXPECT_EQ(c.credit_limit, 0);
  EXPECT_EQ(c.grade, Grade::B);  // everything else applies at once
}

TEST_F(CreditDataTest, AnotherCreditPrincipalWithAuthorityApprovesTheProposal) {
  const ProposalNo no = propose(2'000'000);
  w.advance_hours(1);
  const CreditProposalView p = body<CreditProposalView>(approve(no, officer("mgr", 1)));
  EXPECT_EQ(p.status, ProposalStatus::approved);
  EXPECT_EQ(p.decided_by.view(), "mgr");
  EXPECT_EQ(p.decided_at, w.now);
  EXPECT_EQ(w.get_customer("C1").credit_limit, 2'000'000);
}

TEST_F(CreditDataTest, ApprovingOnesOwnProposalIsForbidden) {
  const ProposalNo no =
      body<CreditProposalView>(set_limit("C1", kLevel2Max * 2, officer("vp", 2))).proposal_no;
  const uint64_t before = w.engine.state_hash();
  const Result r = approve(no, officer("vp", 3));  // even once promoted
  EXPECT_EQ(r.error.code, ErrorCode::FORBIDDEN) << describe(r.error);
  EXPECT_NE(r.error.message.find("own"), std::string::npos);
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(CreditDataTest, ProposalAboveTheApproversAuthorityIsForbidden) {
  const ProposalNo no = propose(kLevel2Max + 1);
  const uint64_t before = w.engine.state_hash();
  const Result r = approve(no, officer("vp", 2));
  EXPECT_EQ(r.error.code, ErrorCode::FORBIDDEN);
  EXPECT_NE(r.error.message.find("needs approval level 3"), std::string::npos) << r.error.message;
  EXPECT_EQ(w.engine.state_hash(), before);
  EXPECT_TRUE(approve(no, officer("gm", 3)).ok());
}

TEST_F(CreditDataTest, ApproveAndRejectNeedTheCreditRole) {
  const ProposalNo no = propose(2'000'000);
  EXPECT_EQ(approve(no, rep(3)).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.apply(RejectCredit{no, "no"}, finance(3)).error.code, ErrorCode::FORBIDDEN);
}

TEST_F(CreditDataTest, AnotherCreditPrincipalRejectsAndTheProposerWithdraws) {
  const ProposalNo a = propose(2'000'000);
  const ProposalNo b = propose(3'000'000);
  EXPECT_EQ(
      body<CreditProposalView>(w.apply(RejectCredit{a, "too risky"}, officer("mgr", 0))).status,
      ProposalStatus::rejected);
  const CreditProposalView p =
      body<CreditProposalView>(w.apply(RejectCredit{b, "typo"}, officer("clerk", 0)));
  EXPECT_EQ(p.status, ProposalStatus::withdrawn);
  EXPECT_EQ(p.decision_note, "typo");
  EXPECT_EQ(w.get_customer("C1").credit_limit, 1'000'000);
}

TEST_F(CreditDataTest, OnlyAPendingProposalIsDecided) {
  const ProposalNo no = propose(2'000'000);
  ASSERT_TRUE(approve(no, officer("mgr", 1)).ok());
  const Result again = approve(no, officer("gm", 3));
  EXPECT_EQ(again.error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(again.error.field, "proposal_no");
  EXPECT_EQ(again.error.message.rfind("proposal_not_pending", 0), 0u);
  EXPECT_EQ(w.apply(RejectCredit{no, "late"}, officer("gm", 3)).error.code,
            ErrorCode::INVALID_STATE);
  EXPECT_EQ(approve(99, officer("gm", 3)).error.code, ErrorCode::NOT_FOUND);
}

TEST_F(CreditDataTest, RejectingNeedsAReason) {
  const ProposalNo no = propose(2'000'000);
  const Result r = w.apply(RejectCredit{no, ""}, officer("mgr", 1));
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "reason");
}

// ---- credit history ----
TEST_F(CreditDataTest, HistoryKeepsWhoProposedWhoApprovedWhenAndWhy) {
  const TimeMs created_at = w.now;
  set_limit("C1", 500'000, officer("clerk", 0), "slow payer");
  const ProposalNo no = propose(2'000'000);
  w.advance_hours(2);
  ASSERT_TRUE(approve(no, officer("mgr", 1)).ok());
  w.set_status("C1", CustomerStatus::on_hold, "address check");

  const CreditHistoryView h = history("C1");
  ASSERT_EQ(h.total, 5u);
  ASSERT_EQ(h.entries.size(), 5u);
  EXPECT_EQ(h.entries[0].kind, CreditChange::created);
  EXPECT_EQ(h.entries[0].at, created_at);
  EXPECT_EQ(h.entries[0].limit_from, 0);
  EXPECT_EQ(h.entries[0].limit_to, 1'000'000);
  EXPECT_EQ(h.entries[0].grade_to, Grade::A);

  EXPECT_EQ(h.entries[1].kind, CreditChange::changed);
  EXPECT_EQ(h.entries[1].reason, "slow payer");  // no longer lost after validation
  EXPECT_EQ(h.entries[1].limit_to, 500'000);

  EXPECT_EQ(h.entries[2].kind, CreditChange::proposed);
  EXPECT_EQ(h.entries[2].proposal_no, no);
  EXPECT_EQ(h.entries[2].limit_from, 500'000);
  EXPECT_EQ(h.entries[2].limit_to, 2'000'000);

  const CreditEventView& approved = h.entries[3];
  EXPECT_EQ(approved.kind, CreditChange::approved);
  EXPECT_EQ(approved.by.view(), "mgr");
  EXPECT_EQ(approved.level, 1);
  EXPECT_EQ(approved.proposed_by.view(), "clerk");
  EXPECT_EQ(approved.at, w.now);
  EXPECT_EQ(approved.reason, "bank reference");
  EXPECT_EQ(approved.limit_from, 500'000);
  EXPECT_EQ(approved.limit_to, 2'000'000);

  EXPECT_EQ(h.entries[4].status_from, CustomerStatus::active);
  EXPECT_EQ(h.entries[4].status_to, CustomerStatus::on_hold);
  EXPECT_EQ(h.entries[4].reason, "address check");
}

TEST_F(CreditDataTest, HistoryLimitGivesTheNewestEntriesOldestFirst) {
  for (Money m = 1; m <= 5; ++m) set_limit("C1", m * 100, officer("clerk", 0));
  const CreditHistoryView h = history("C1", 2);
  EXPECT_EQ(h.total, 6u);
  ASSERT_EQ(h.entries.size(), 2u);
  EXPECT_EQ(h.entries[0].limit_to, 400);
  EXPECT_EQ(h.entries[1].limit_to, 500);
}

TEST_F(CreditDataTest, HistoryOfAnUnknownCustomerOrWithABadLimitIsRefused) {
  EXPECT_EQ(w.query(GetCreditHistory{Key::of("NOPE"), 10}).error.code, ErrorCode::NOT_FOUND);
  const Result r = w.query(GetCreditHistory{Key::of("C1"), 0});
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "limit");
}

TEST_F(CreditDataTest, TheOverdueLadderIsInTheHistory) {
  w.customer("C2").grade(Grade::A).limit(100'000).terms(0);
  const OrderNo n = w.submit("C2", {{"BOLT", 1}}).order_no;
  w.ship(n);
  w.advance_days(61);
  EXPECT_EQ(w.tick().customers_suspended, 1u);
  const CreditHistoryView h = history("C2");
  EXPECT_EQ(h.entries.back().kind, CreditChange::ladder);
  EXPECT_EQ(h.entries.back().by.view(), "system");
  EXPECT_EQ(h.entries.back().status_to, CustomerStatus::on_hold);
  EXPECT_EQ(h.entries.back().reason, "OVERDUE_SUSPENSION");
}

// ---- reviews (004 P5 9-02 §9, 001 §2.2) ----
TEST_F(CreditDataTest, ReviewDueIsOneGradeCycleAfterGrading) {
  EXPECT_EQ(w.get_customer("C1").review_due, w.today() + 182);
  w.customer("N");  // new: grade D, monthly
  EXPECT_EQ(w.get_customer("N").review_due, w.today() + 30);
  w.advance_days(10);
  SetCredit b;
  b.customer = Key::of("C1");
  b.grade = Grade::B;
  w.apply(b, credit_officer());
  EXPECT_EQ(w.get_customer("C1").review_due, w.today() + 91);
}

TEST_F(CreditDataTest, ReviewRestartsTheCycleAndIsRecorded) {
  w.advance_days(100);
  ReviewCustomer r{Key::of("C1"), Grade::C, std::nullopt, "annual accounts weaker"};
  const CustomerView c = body<CustomerView>(w.apply(r, officer("clerk", 0)));
  EXPECT_EQ(c.grade, Grade::C);
  EXPECT_EQ(c.review_due, w.today() + 30);
  const CreditEventView e = history("C1").entries.back();
  EXPECT_EQ(e.kind, CreditChange::reviewed);
  EXPECT_EQ(e.reason, "annual accounts weaker");
  EXPECT_EQ(e.review_due, w.today() + 30);
}

TEST_F(CreditDataTest, ReviewWithALimitAboveAuthorityIsAProposalButStillAReview) {
  w.advance_days(100);
  ReviewCustomer r{Key::of("C1"), std::nullopt, 3'000'000, "grew"};
  const CreditProposalView p = body<CreditProposalView>(w.apply(r, officer("clerk", 0)));
  EXPECT_EQ(p.status, ProposalStatus::pending);
  const CustomerView c = w.get_customer("C1");
  EXPECT_EQ(c.credit_limit, 1'000'000);
  EXPECT_EQ(c.review_due, w.today() + 182);
}

TEST_F(CreditDataTest, ReviewRefusesBadInput) {
  EXPECT_EQ(
      w.apply(ReviewCustomer{Key::of("NOPE"), std::nullopt, std::nullopt, "x"}, credit_officer())
          .error.code,
      ErrorCode::NOT_FOUND);
  EXPECT_EQ(w.apply(ReviewCustomer{Key::of("C1"), std::nullopt, std::nullopt, ""}, credit_officer())
                .error.field,
            "reason");
  EXPECT_EQ(
      w.apply(ReviewCustomer{Key::of("C1"), std::nullopt, -1, "x"}, credit_officer()).error.field,
      "credit_limit");
  EXPECT_EQ(
      w.apply(ReviewCustomer{Key::of("C1"), std::nullopt, std::nullopt, "x"}, rep(3)).error.code,
      ErrorCode::FORBIDDEN);
}

TEST_F(CreditDataTest, CreditOrdersAreHeldMoreThanTheGracePastReviewDue) {
  w.advance_days(182 + 30);  // exactly the grace: not yet
  EXPECT_FALSE(has_reason(w.submit("C1", {{"BOLT", 1}}), Reason::CREDIT_REVIEW_DUE));
  w.advance_days(1);
  const OrderView o = w.submit("C1", {{"BOLT", 1}});
  EXPECT_EQ(o.status, OrderStatus::held);
  ASSERT_TRUE(has_reason(o, Reason::CREDIT_REVIEW_DUE));
  EXPECT_EQ(find_reason(o, Reason::CREDIT_REVIEW_DUE)->required_level, 1);
  EXPECT_EQ(w.try_release(o.order_no, 0).error.code, ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.release(o.order_no, 1).status, OrderStatus::accepted);
  // A review clears it for the next order.
  w.apply(ReviewCustomer{Key::of("C1"), std::nullopt, std::nullopt, "fine"}, credit_officer(0));
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).status, OrderStatus::accepted);
}

TEST_F(CreditDataTest, ReviewDueDoesNotHoldPrepaidOrders) {
  w.pay("C1", 10'000, "P1");
  w.advance_days(400);
  SubmitOptions prepaid;
  prepaid.payment = PaymentTerms::prepaid;
  EXPECT_FALSE(has_reason(w.submit("C1", {{"BOLT", 1}}, prepaid), Reason::CREDIT_REVIEW_DUE));
}

TEST_F(CreditDataTest, ListReviewsDueIsOldestDueFirstAndPages) {
  w.customer("D1");                  // due today + 30
  w.customer("B1").grade(Grade::B);  // due today + 91
  w.customer("C3").grade(Grade::C);  // due today + 30, created after D1
  auto page = [&](std::optional<Day> as_of, uint32_t limit, std::optional<Key> cursor = {}) {
    ListReviewsDue q;
    q.as_of = as_of;
    q.limit = limit;
    q.cursor = cursor;
    return body<ReviewDueList>(w.query(q));
  };
  EXPECT_TRUE(page(std::nullopt, 10).customers.empty());  // nothing due today
  const ReviewDueList all = page(w.today() + 200, 10);
  ASSERT_EQ(all.customers.size(), 4u);
  EXPECT_EQ(all.customers[0].customer.view(), "D1");
  EXPECT_EQ(all.customers[1].customer.view(), "C3");
  EXPECT_EQ(all.customers[2].customer.view(), "B1");
  EXPECT_EQ(all.customers[3].customer.view(), "C1");
  EXPECT_EQ(all.customers[3].days_past_due, 200 - 182);
  EXPECT_TRUE(all.next_cursor.empty());

  const ReviewDueList first = page(w.today() + 100, 1);
  ASSERT_EQ(first.customers.size(), 1u);
  ASSERT_FALSE(first.next_cursor.empty());
  const ReviewDueList second = page(w.today() + 100, 5, first.next_cursor);
  ASSERT_EQ(second.customers.size(), 2u);  // C3, B1; C1 is not due by then
  EXPECT_EQ(second.customers[0].customer.view(), "C3");
  EXPECT_TRUE(second.next_cursor.empty());

  ListReviewsDue bad;
  bad.cursor = Key::of("c12");
  EXPECT_EQ(w.query(bad).error.field, "cursor");
  bad.cursor = Key::of("r01.0");
  EXPECT_EQ(w.query(bad).error.field, "cursor");
}

// ---- policy ----
TEST_F(CreditDataTest, PolicyRefusesDecreasingLimitAuthorityAndReviewCyclesOverAYear) {
  SetPolicy p;
  p.policy.credit_limit_max_minor = {5, 4, 10, 20};
  EXPECT_EQ(w.apply(p, admin()).error.field, "credit_limit_max_minor");
  p.policy = Policy{};
  p.policy.review_cycle_days_a = 367;
  EXPECT_EQ(w.apply(p, admin()).error.field, "review_cycle_days_a");
  p.policy = Policy{};
  p.policy.review_grace_days = 0;
  ASSERT_TRUE(w.apply(p, admin()).ok());
  w.advance_days(183);
  EXPECT_TRUE(has_reason(w.submit("C1", {{"BOLT", 1}}), Reason::CREDIT_REVIEW_DUE));
}

// ---- persistence ----
TEST_F(CreditDataTest, SnapshotKeepsProposalsHistoryReviewDatesAndTheCreditPolicy) {
  SetPolicy sp;
  sp.policy.credit_limit_max_minor = {0, 3'000'000, 4'000'000, kMoneyMax};
  sp.policy.review_grace_days = 7;
  ASSERT_TRUE(w.apply(sp, admin()).ok());
  const ProposalNo no = propose(2'000'000);
  propose(3'000'000);
  ASSERT_TRUE(approve(no, officer("mgr", 1)).ok());
  w.advance_days(3);
  w.apply(ReviewCustomer{Key::of("C1"), Grade::B, std::nullopt, "q"}, credit_officer());
  Engine copy = snapshot_copy(w.engine);
  EXPECT_EQ(copy.policy(), sp.policy);
  Query q;
  q.at = w.now;
  q.by = rep(0);
  q.body = GetCreditHistory{Key::of("C1"), 100};
  Result r;
  copy.query(q, r);
  EXPECT_EQ(body<CreditHistoryView>(r).total, history("C1").total);
  // The pending proposal is still pending in the copy.
  Command c;
  c.at = w.now;
  c.by = officer("gm", 3);
  c.body = ApproveCredit{2, ""};
  copy.apply(c, r);
  EXPECT_TRUE(r.ok()) << describe(r.error);
}

// A version-2 image (before the credit data) loads: the history is empty and every customer is
// due for review one grade cycle after the image's business day.
TEST_F(CreditDataTest, VersionTwoImageLoadsWithReviewDueOneCycleAfterItsDay) {
  w.advance_days(5);
  w.tick();  // the image's day; no orders, so its daily table is empty
  std::string v4;
  w.engine.save_version(v4, 4);
  const std::string v3 = image_as_version3(v4, {});
  // The credit data: the policy's credit members, C1's review_due and its one history entry
  // (created), no proposals, the entry.
  const std::size_t credit = 52 + (4 + 8 + 4) + 8 + (8 + 74);
  // The other blocks version 3 appends after the daily table, empty here (see
  // FuzzRegressionTest.VersionOneImageWithADenseDailyTableStillLoads for their layout): auth,
  // orderbook (no daily rows), receivables (one customer), writeoff.
  const std::size_t others = (8 + 13 + 4 + 1) + (8 + 8 + 8) + (4 + 8 + 7 * 8) +
                             (4 + 1 + 8 + 5 * 8);
  const std::string v2 = "CREDOST2" + v3.substr(8, v3.size() - 8 - credit - others);
  ASSERT_EQ(Engine::image_version(v2), 2);
  Engine old;
  std::string error;
  ASSERT_TRUE(old.load(v2, &error)) << error;
  EXPECT_EQ(old.check_invariants(true), "");
  Query q;
  q.at = w.now;
  q.by = rep(0);
  q.body = GetCustomer{Key::of("C1")};
  Result r;
  old.query(q, r);
  EXPECT_EQ(body<CustomerView>(r).review_due, w.today() + 182);
  q.body = GetCreditHistory{Key::of("C1"), 100};
  old.query(q, r);
  EXPECT_EQ(body<CreditHistoryView>(r).total, 0u);
}

}  // namespace
}  // namespace credo::test

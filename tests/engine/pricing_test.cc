// Contract prices (docs/rules.md "Contract prices"; 003 三(三)1, 004 P5 §4-6): price agreements
// price a customer's order lines for a sku within their dates, are no discount to approve, and
// never undercut the floor price.
#include "tests/engine/world.h"

namespace credo::test {
namespace {

class PricingTest : public EngineTest {
 protected:
  void SetUp() override {
    // Level 0 may give no discount at all: every discount from the base needs PRICE_APPROVAL.
    w.product("BOLT").price(1000).floor(700).stock(1000);
    w.product("NUT").price(100).floor(50).stock(1000);
    w.good_customer("C1");
    w.good_customer("C2");
  }
  Result try_upsert(std::string_view ref, std::string_view customer, std::string_view sku,
                    Money price, Day from, Day to, const Principal& by = rep(2)) {
    return w.apply(UpsertPriceAgreement{Key::of(ref), Key::of(customer), Key::of(sku), price, from,
                                        to},
                   by);
  }
  PriceAgreementView upsert(std::string_view ref, std::string_view customer, std::string_view sku,
                            Money price, Day from, Day to) {
    return body<PriceAgreementView>(try_upsert(ref, customer, sku, price, from, to));
  }
  Result try_end(std::string_view ref, const Principal& by = rep(2)) {
    return w.apply(EndPriceAgreement{Key::of(ref), "renegotiated"}, by);
  }
  PriceAgreementList list(std::optional<std::string> customer = {},
                          std::optional<std::string> sku = {}, uint32_t limit = 100,
                          std::optional<Key> cursor = {}) {
    ListPriceAgreements q;
    if (customer) q.customer = Key::of(*customer);
    if (sku) q.sku = Key::of(*sku);
    q.limit = limit;
    q.cursor = cursor;
    return body<PriceAgreementList>(w.query(q));
  }
  Day today() const { return w.today(); }
};

TEST_F(PricingTest, ALineWithoutAPriceIsPricedAtTheAgreementWithinItsDates) {
  const PriceAgreementView a = upsert("AG-1", "C1", "BOLT", 800, today(), today() + 30);
  EXPECT_STREQ(a.status, "active");
  EXPECT_FALSE(a.duplicate);
  const OrderView o = w.submit("C1", {{"BOLT", 10}, {"NUT", 1}});
  EXPECT_EQ(o.status, OrderStatus::accepted);
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[0].unit_price, 800);
  EXPECT_EQ(o.lines[0].price_source, PriceSource::agreement);
  EXPECT_EQ(o.lines[0].discount_bp, 2000);  // 20% below list, approved with the agreement
  EXPECT_EQ(o.lines[1].price_source, PriceSource::list);
  EXPECT_EQ(o.total, 8000 + 100);
  EXPECT_FALSE(has_reason(o, Reason::PRICE_APPROVAL));
  // get_order says the same.
  const OrderView g = w.get_order(o.order_no);
  EXPECT_EQ(g.lines[0].price_source, PriceSource::agreement);
  EXPECT_EQ(g.lines[1].price_source, PriceSource::list);
  // Another customer pays list.
  const OrderView other = w.submit("C2", {{"BOLT", 1}});
  EXPECT_EQ(other.lines[0].unit_price, 1000);
  EXPECT_EQ(other.lines[0].price_source, PriceSource::list);
}

TEST_F(PricingTest, OutsideItsDatesTheAgreementDoesNotApply) {
  upsert("AG-1", "C1", "BOLT", 800, today() + 1, today() + 2);
  EXPECT_STREQ(list()
                   .agreements.at(0)
                   .status,
               "pending");
  OrderView before = w.submit("C1", {{"BOLT", 1}});
  EXPECT_EQ(before.lines[0].unit_price, 1000);
  EXPECT_EQ(before.lines[0].price_source, PriceSource::list);
  w.advance_days(1);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).lines[0].unit_price, 800);
  w.advance_days(1);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).lines[0].unit_price, 800);  // `to` is inclusive
  w.advance_days(1);
  const OrderView after = w.submit("C1", {{"BOLT", 1}});
  EXPECT_EQ(after.lines[0].unit_price, 1000);
  EXPECT_EQ(after.lines[0].price_source, PriceSource::list);
  EXPECT_STREQ(list().agreements.at(0).status, "expired");
}

TEST_F(PricingTest, APriceAtOrAboveTheAgreementIsNoDiscountButBelowItNeedsApproval) {
  upsert("AG-1", "C1", "BOLT", 800, today(), today() + 30);
  const OrderView at = w.submit("C1", {{"BOLT", 1, 800}});
  EXPECT_EQ(at.status, OrderStatus::accepted);
  EXPECT_EQ(at.lines[0].price_source, PriceSource::agreement);
  const OrderView above = w.submit("C1", {{"BOLT", 1, 900}});
  EXPECT_EQ(above.status, OrderStatus::accepted);
  EXPECT_EQ(above.lines[0].price_source, PriceSource::requested);
  EXPECT_FALSE(has_reason(above, Reason::PRICE_APPROVAL));
  // Below the agreement: a discount from the agreement's price, to approve.
  const OrderView below = w.submit("C1", {{"BOLT", 1, 760}});
  EXPECT_EQ(below.status, OrderStatus::held);
  EXPECT_EQ(below.lines[0].price_source, PriceSource::requested);
  const ReasonView* r = find_reason(below, Reason::PRICE_APPROVAL);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->line, 0);
  // Without the agreement the same 900 is a discount from list.
  const OrderView c2 = w.submit("C2", {{"BOLT", 1, 900}});
  EXPECT_TRUE(has_reason(c2, Reason::PRICE_APPROVAL));
}

TEST_F(PricingTest, AnAgreementBelowTheFloorIsRefusedAndAFloorRaisedLaterRejectsTheLine) {
  const Result r = try_upsert("AG-1", "C1", "BOLT", 699, today(), today() + 30);
  ASSERT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "unit_price");
  EXPECT_TRUE(list().agreements.empty());
  upsert("AG-1", "C1", "BOLT", 700, today(), today() + 30);
  w.product("BOLT").floor(750);
  const OrderView o = w.submit("C1", {{"BOLT", 1}});
  EXPECT_EQ(o.status, OrderStatus::rejected);
  EXPECT_TRUE(has_reason(o, Reason::BELOW_FLOOR_PRICE));
}

TEST_F(PricingTest, RefusesBadInputAndChangesNothing) {
  EXPECT_EQ(try_upsert("AG-1", "NOBODY", "BOLT", 800, today(), today()).error.code,
            ErrorCode::NOT_FOUND);
  EXPECT_EQ(try_upsert("AG-1", "C1", "NOSUCH", 800, today(), today()).error.code,
            ErrorCode::NOT_FOUND);
  Result r = try_upsert("AG-1", "C1", "BOLT", 800, today() + 2, today() + 1);
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "to");
  r = try_upsert("AG-1", "C1", "BOLT", 800, today() - 10, today() - 1);
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "to");
  r = try_upsert("AG-1", "C1", "BOLT", -1, today(), today());
  EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
  // Authority: the order role at level 2 (or admin); not level 1, not another role.
  EXPECT_EQ(try_upsert("AG-1", "C1", "BOLT", 800, today(), today(), rep(1)).error.code,
            ErrorCode::FORBIDDEN);
  EXPECT_EQ(try_upsert("AG-1", "C1", "BOLT", 800, today(), today(), finance(3)).error.code,
            ErrorCode::FORBIDDEN);
  EXPECT_TRUE(list().agreements.empty());
  EXPECT_TRUE(try_upsert("AG-1", "C1", "BOLT", 800, today(), today(), admin()).ok());
}

TEST_F(PricingTest, OverlappingAgreementsOfOnePairAreRefused) {
  upsert("AG-1", "C1", "BOLT", 800, today(), today() + 10);
  const Result r = try_upsert("AG-2", "C1", "BOLT", 850, today() + 10, today() + 20);
  ASSERT_EQ(r.error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(r.error.reason, "AGREEMENT_OVERLAPS");
  // Back to back is fine; so is the same days for another sku or customer.
  EXPECT_TRUE(try_upsert("AG-2", "C1", "BOLT", 850, today() + 11, today() + 20).ok());
  EXPECT_TRUE(try_upsert("AG-3", "C2", "BOLT", 850, today(), today() + 20).ok());
  EXPECT_TRUE(try_upsert("AG-4", "C1", "NUT", 90, today(), today() + 20).ok());
  // Changing an agreement may not make it overlap another either.
  EXPECT_EQ(try_upsert("AG-1", "C1", "BOLT", 800, today(), today() + 11).error.reason,
            "AGREEMENT_OVERLAPS");
}

TEST_F(PricingTest, UpsertChangesAnAgreementAndARepeatIsADuplicate) {
  upsert("AG-1", "C1", "BOLT", 800, today(), today() + 10);
  const PriceAgreementView again = upsert("AG-1", "C1", "BOLT", 800, today(), today() + 10);
  EXPECT_TRUE(again.duplicate);
  const PriceAgreementView changed = upsert("AG-1", "C1", "BOLT", 820, today(), today() + 20);
  EXPECT_FALSE(changed.duplicate);
  EXPECT_EQ(changed.unit_price, 820);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).lines[0].unit_price, 820);
  ASSERT_EQ(list().agreements.size(), 1u);
  // The ref belongs to its customer and sku.
  const Result r = try_upsert("AG-1", "C2", "BOLT", 800, today(), today() + 10);
  EXPECT_EQ(r.error.code, ErrorCode::DUPLICATE);
  EXPECT_EQ(r.error.field, "agreement_ref");
}

TEST_F(PricingTest, AnEndedAgreementNoLongerPricesAndCannotBeEndedOrChangedAgain) {
  upsert("AG-1", "C1", "BOLT", 800, today(), today() + 10);
  const PriceAgreementView ended = body<PriceAgreementView>(try_end("AG-1"));
  EXPECT_STREQ(ended.status, "ended");
  EXPECT_EQ(ended.ended_by, Key::of("rep2"));
  EXPECT_EQ(ended.end_reason, "renegotiated");
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).lines[0].unit_price, 1000);
  Result r = try_end("AG-1");
  EXPECT_EQ(r.error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(r.error.reason, "AGREEMENT_ENDED");
  r = try_upsert("AG-1", "C1", "BOLT", 800, today(), today() + 10);
  EXPECT_EQ(r.error.reason, "AGREEMENT_ENDED");
  EXPECT_EQ(try_end("NOPE").error.code, ErrorCode::NOT_FOUND);
  EXPECT_EQ(try_end("AG-1", rep(1)).error.code, ErrorCode::FORBIDDEN);
  // A new agreement may cover the ended one's days.
  EXPECT_TRUE(try_upsert("AG-2", "C1", "BOLT", 810, today(), today() + 10).ok());
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).lines[0].unit_price, 810);
}

TEST_F(PricingTest, ListFiltersByCustomerAndSkuAndPages) {
  upsert("AG-1", "C1", "BOLT", 800, today(), today() + 10);
  upsert("AG-2", "C2", "BOLT", 810, today(), today() + 10);
  upsert("AG-3", "C1", "NUT", 90, today(), today() + 10);
  upsert("AG-4", "C1", "BOLT", 790, today() + 11, today() + 20);
  EXPECT_EQ(list().agreements.size(), 4u);
  EXPECT_EQ(list("C1").agreements.size(), 3u);
  EXPECT_EQ(list({}, "BOLT").agreements.size(), 3u);
  const PriceAgreementList pair = list("C1", "BOLT");
  ASSERT_EQ(pair.agreements.size(), 2u);
  EXPECT_EQ(pair.agreements[0].agreement_ref, Key::of("AG-1"));
  EXPECT_EQ(pair.agreements[1].agreement_ref, Key::of("AG-4"));
  EXPECT_TRUE(list("NOBODY").agreements.empty());
  // Pages of one, from start to end, each row once.
  std::vector<std::string> seen;
  std::optional<Key> cursor;
  for (int i = 0; i < 10; ++i) {
    const PriceAgreementList page = list({}, {}, 1, cursor);
    for (const auto& a : page.agreements) seen.emplace_back(a.agreement_ref.view());
    if (page.next_cursor.empty()) break;
    cursor = page.next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"AG-1", "AG-2", "AG-3", "AG-4"}));
  std::vector<std::string> pair_seen;
  cursor.reset();
  for (int i = 0; i < 10; ++i) {
    const PriceAgreementList page = list("C1", "BOLT", 1, cursor);
    for (const auto& a : page.agreements) pair_seen.emplace_back(a.agreement_ref.view());
    if (page.next_cursor.empty()) break;
    cursor = page.next_cursor;
  }
  EXPECT_EQ(pair_seen, (std::vector<std::string>{"AG-1", "AG-4"}));
  ListPriceAgreements bad;
  bad.cursor = Key::of("c1");
  EXPECT_EQ(w.query(bad).error.code, ErrorCode::BAD_REQUEST);
}

TEST_F(PricingTest, QuotesAndAmendmentsUseTheAgreement) {
  upsert("AG-1", "C1", "BOLT", 800, today(), today() + 10);
  const OrderView q = body<OrderView>(w.query(Quote{order_request("C1", {{"BOLT", 2}})}));
  EXPECT_EQ(q.lines[0].unit_price, 800);
  EXPECT_EQ(q.lines[0].price_source, PriceSource::agreement);
  const OrderNo n = w.submit("C1", {{"NUT", 1}}).order_no;
  AmendOrder a;
  a.order_no = n;
  a.amendment_id = Key::of("A1");
  a.lines = {LineRequest{Key::of("BOLT"), 3, std::nullopt}};
  const AmendView v = body<AmendView>(w.apply(a, rep(0)));
  ASSERT_TRUE(v.amended);
  EXPECT_EQ(v.order.lines[0].unit_price, 800);
  EXPECT_EQ(v.order.lines[0].price_source, PriceSource::agreement);
}

TEST_F(PricingTest, AgreementsAndPriceSourcesSurviveASnapshot) {
  upsert("AG-1", "C1", "BOLT", 800, today(), today() + 10);
  upsert("AG-2", "C2", "BOLT", 810, today(), today() + 10);
  ASSERT_TRUE(try_end("AG-2").ok());
  const OrderNo n = w.submit("C1", {{"BOLT", 1}, {"NUT", 1, 95}}).order_no;
  std::string image;
  w.engine.save(image);
  Engine copy;
  std::string err;
  ASSERT_TRUE(copy.load(image, &err)) << err;
  EXPECT_EQ(copy.state_hash(), w.engine.state_hash());
  EXPECT_EQ(copy.check_invariants(true), "");
  w.engine.load(image, &err);
  const OrderView o = w.get_order(n);
  EXPECT_EQ(o.lines[0].price_source, PriceSource::agreement);
  EXPECT_EQ(o.lines[1].price_source, PriceSource::requested);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).lines[0].unit_price, 800);
  EXPECT_EQ(w.submit("C2", {{"BOLT", 1}}).lines[0].unit_price, 1000);
  EXPECT_EQ(list().agreements.size(), 2u);
}

}  // namespace
}  // namespace credo::test

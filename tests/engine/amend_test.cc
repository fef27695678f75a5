// amend_order: a new version of a held or accepted order, decided again under the rules of
// submit_order (docs/rules.md "Amending an order").
#include "tests/engine/world.h"

namespace credo::test {
namespace {

class AmendTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).floor(100).stock(100);
    w.product("NUT").price(100).stock(100);
    w.customer("C1").grade(Grade::A).limit(1'000'000).terms(30);
  }
  Result try_amend(OrderNo n, std::string_view id, const std::vector<Line>& lines,
                   const Principal& by = rep(0)) {
    AmendOrder a;
    a.order_no = n;
    a.amendment_id = Key::of(id);
    for (const Line& l : lines) a.lines.push_back(LineRequest{Key::of(l.sku), l.qty, l.unit_price});
    return w.apply(a, by);
  }
  AmendView amend(OrderNo n, std::string_view id, const std::vector<Line>& lines,
                  const Principal& by = rep(0)) {
    return body<AmendView>(try_amend(n, id, lines, by));
  }
  OrderNo accepted_order(Qty bolts = 10) { return w.submit("C1", {{"BOLT", bolts}}).order_no; }
};

TEST_F(AmendTest, AmendingQuantitiesMovesStockAndExposureByTheDifference) {
  const OrderNo n = accepted_order(10);
  const AmendView a = amend(n, "A1", {{"BOLT", 4}});
  EXPECT_TRUE(a.amended);
  EXPECT_EQ(a.version, 2u);
  EXPECT_EQ(a.decision, OrderStatus::accepted);
  EXPECT_EQ(a.total, 4000);
  EXPECT_EQ(a.order.order_no, n);
  EXPECT_EQ(a.order.status, OrderStatus::accepted);
  EXPECT_EQ(w.get_product("BOLT").reserved, 4);
  EXPECT_EQ(w.get_customer("C1").exposure.open_orders, 4000);
  EXPECT_EQ(w.get_order(n).total, 4000);
}

TEST_F(AmendTest, AmendingMayAddAndRemoveLines) {
  const OrderNo n = w.submit("C1", {{"BOLT", 2}, {"NUT", 5}}).order_no;
  const AmendView a = amend(n, "A1", {{"NUT", 7}, {"BOLT", 1}, {"NUT", 1}});
  ASSERT_TRUE(a.amended);
  ASSERT_EQ(a.order.lines.size(), 3u);
  EXPECT_EQ(w.get_product("NUT").reserved, 8);
  EXPECT_EQ(w.get_product("BOLT").reserved, 1);
  EXPECT_EQ(a.order.total, 800 + 1000);
  const AmendView b = amend(n, "A2", {{"BOLT", 3}});
  ASSERT_TRUE(b.amended);
  EXPECT_EQ(w.get_product("NUT").reserved, 0);
  EXPECT_EQ(w.get_customer("C1").exposure.open_orders, 3000);
}

TEST_F(AmendTest, ALineWithoutAPriceKeepsTheOrdersPriceForItsSku) {
  const OrderNo n = accepted_order(10);
  w.product("BOLT").price(2000);  // the list price rises after the order
  const AmendView a = amend(n, "A1", {{"BOLT", 5}, {"NUT", 1}});
  ASSERT_TRUE(a.amended);
  EXPECT_EQ(a.order.lines[0].unit_price, 1000);
  EXPECT_EQ(a.order.lines[1].unit_price, 100);  // new to the order: list price
}

TEST_F(AmendTest, TheOrdersOwnReservationCountsAsReleased) {
  const OrderNo n = accepted_order(60);  // 40 left for others
  const AmendView a = amend(n, "A1", {{"BOLT", 90}});
  EXPECT_TRUE(a.amended);
  EXPECT_EQ(w.get_product("BOLT").reserved, 90);
}

TEST_F(AmendTest, TheOrdersOwnExposureCountsAsReleased) {
  w.customer("C2").grade(Grade::A).limit(10'000);
  const OrderNo n = w.submit("C2", {{"BOLT", 8}}).order_no;  // 8,000 of 10,000
  const AmendView a = amend(n, "A1", {{"BOLT", 9}});
  EXPECT_TRUE(a.amended);
  EXPECT_EQ(a.decision, OrderStatus::accepted);
  EXPECT_EQ(w.get_customer("C2").exposure.open_orders, 9000);
  const AmendView b = amend(n, "A2", {{"BOLT", 11}});
  EXPECT_TRUE(b.amended);  // over the limit: held, not rejected
  EXPECT_EQ(b.decision, OrderStatus::held);
  EXPECT_TRUE(std::any_of(b.reasons.begin(), b.reasons.end(),
                          [](const ReasonView& r) { return r.code == Reason::CREDIT_LIMIT; }));
  EXPECT_EQ(w.get_customer("C2").exposure.held, 11000);
  EXPECT_EQ(w.get_customer("C2").exposure.open_orders, 0);
}

TEST_F(AmendTest, AnAmendmentThatWouldBeRejectedLeavesTheOrderAsItWas) {
  const OrderNo n = accepted_order(10);
  const OrderView before = w.get_order(n);
  const AmendView a = amend(n, "A1", {{"BOLT", 500}});  // only 100 on hand
  EXPECT_FALSE(a.amended);
  EXPECT_EQ(a.decision, OrderStatus::rejected);
  ASSERT_EQ(a.reasons.size(), 1u);
  EXPECT_EQ(a.reasons[0].code, Reason::INSUFFICIENT_STOCK);
  EXPECT_EQ(a.reasons[0].available, 100);  // its own 10 count as free
  EXPECT_EQ(a.version, 1u);
  const OrderView after = w.get_order(n);
  EXPECT_EQ(after.total, before.total);
  EXPECT_EQ(after.lines[0].qty, 10);
  EXPECT_EQ(after.status, OrderStatus::accepted);
  EXPECT_EQ(w.get_product("BOLT").reserved, 10);
  ASSERT_EQ(after.amendments.size(), 1u);  // the attempt is on record
  EXPECT_FALSE(after.amendments[0].amended);
}

TEST_F(AmendTest, AnAmendmentNeedingApprovalHoldsTheOrderAndAReleaseNeedsTheLevel) {
  const OrderNo n = accepted_order(10);
  const AmendView a = amend(n, "A1", {{"BOLT", 10, 950}});  // 5% off: level 2
  ASSERT_TRUE(a.amended);
  EXPECT_EQ(a.order.status, OrderStatus::held);
  EXPECT_EQ(w.get_customer("C1").exposure.held, 9500);
  EXPECT_EQ(w.try_release(n, 1).error.code, ErrorCode::FORBIDDEN);
  const AmendView b = amend(n, "A2", {{"BOLT", 10, 1000}});
  EXPECT_EQ(b.order.status, OrderStatus::accepted);
  EXPECT_TRUE(b.reasons.empty());
  EXPECT_EQ(w.get_customer("C1").exposure.held, 0);
}

TEST_F(AmendTest, AnAmendedOrderWaitsAFreshHoldTime) {
  const OrderNo n = w.submit("C1", {{"BOLT", 1, 950}}).order_no;  // held
  w.advance_hours(70);
  ASSERT_TRUE(amend(n, "A1", {{"BOLT", 2, 950}}).amended);
  w.advance_hours(10);  // 80 h after submission, 10 after the amendment
  EXPECT_EQ(w.tick().held_expired, 0u);
  w.advance_hours(62);
  EXPECT_EQ(w.tick().held_expired, 1u);
  EXPECT_EQ(w.get_order(n).status, OrderStatus::expired);
}

TEST_F(AmendTest, ShippedUnitsAreCarriedIntoTheNewVersion) {
  const OrderNo n = accepted_order(10);
  w.ship(n, {{"BOLT", 6}});
  const AmendView a = amend(n, "A1", {{"BOLT", 8}});
  ASSERT_TRUE(a.amended);
  EXPECT_EQ(a.order.lines[0].shipped, 6);
  EXPECT_EQ(w.get_product("BOLT").reserved, 2);
  EXPECT_EQ(w.get_customer("C1").exposure.open_orders, 2000);
  EXPECT_EQ(w.ship(n).status, OrderStatus::shipped);
  EXPECT_EQ(w.get_product("BOLT").on_hand, 92);
}

TEST_F(AmendTest, CuttingAnOrderDownToWhatShippedClosesItAsShipped) {
  const OrderNo n = accepted_order(10);
  w.ship(n, {{"BOLT", 6}});
  const AmendView a = amend(n, "A1", {{"BOLT", 6}});
  ASSERT_TRUE(a.amended);
  EXPECT_EQ(a.order.status, OrderStatus::shipped);
  EXPECT_EQ(w.get_product("BOLT").reserved, 0);
  EXPECT_EQ(w.get_customer("C1").exposure.open_orders, 0);
}

TEST_F(AmendTest, ALineMayNotGoBelowWhatShipped) {
  const OrderNo n = w.submit("C1", {{"NUT", 1}, {"BOLT", 10}}).order_no;
  w.ship(n, {{"BOLT", 6}});
  const uint64_t before = w.engine.state_hash();
  const Result r = try_amend(n, "A1", {{"NUT", 1}, {"BOLT", 5}});
  EXPECT_EQ(r.error.code, ErrorCode::INVALID_STATE) << describe(r.error);
  EXPECT_EQ(r.error.field, "lines[1].qty");
  const Result gone = try_amend(n, "A2", {{"NUT", 1}});
  EXPECT_EQ(gone.error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(gone.error.field, "lines");
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(AmendTest, ThePriceOfShippedUnitsCannotChange) {
  const OrderNo n = accepted_order(10);
  w.ship(n, {{"BOLT", 2}});
  const Result r = try_amend(n, "A1", {{"BOLT", 10, 1200}});
  EXPECT_EQ(r.error.code, ErrorCode::INVALID_STATE);
  EXPECT_EQ(r.error.field, "lines[0].unit_price");
}

TEST_F(AmendTest, OnlyHeldOrAcceptedOrdersCanBeAmended) {
  const OrderNo shipped = accepted_order(1);
  w.ship(shipped);
  const OrderNo cancelled = accepted_order(1);
  w.cancel(cancelled);
  const OrderNo rejected = w.submit("NOBODY", {{"BOLT", 1}}).order_no;
  const OrderNo expired = accepted_order(1);
  w.advance_days(31);
  w.tick();
  for (OrderNo n : {shipped, cancelled, rejected, expired}) {
    const Result r = try_amend(n, "A1", {{"BOLT", 1}}, admin());
    EXPECT_EQ(r.error.code, ErrorCode::INVALID_STATE) << n;
  }
}

TEST_F(AmendTest, ARepeatedAmendmentIdAnswersTheFirstAnswerAndChangesNothing) {
  const OrderNo n = accepted_order(10);
  const AmendView first = amend(n, "A1", {{"BOLT", 4}});
  const AmendView again = amend(n, "A1", {{"BOLT", 7}});
  EXPECT_TRUE(again.duplicate);
  EXPECT_TRUE(again.amended);
  EXPECT_EQ(again.total, first.total);
  EXPECT_EQ(again.version, 2u);
  EXPECT_EQ(w.get_order(n).lines[0].qty, 4);
  EXPECT_EQ(w.get_order(n).amendments.size(), 1u);
  EXPECT_EQ(w.get_product("BOLT").reserved, 4);
  // The key is per order: the same id on another order is a new amendment.
  EXPECT_FALSE(amend(accepted_order(1), "A1", {{"BOLT", 2}}).duplicate);
}

TEST_F(AmendTest, OnlyTheSubmitterOrAdminMayAmend) {
  const OrderNo n = accepted_order(10);
  const Result other = try_amend(n, "A1", {{"BOLT", 4}}, rep(3, "someone"));
  EXPECT_EQ(other.error.code, ErrorCode::FORBIDDEN);
  EXPECT_NE(other.error.message.find("may amend it"), std::string::npos) << other.error.message;
  EXPECT_EQ(try_amend(n, "A1", {{"BOLT", 4}}, warehouse()).error.code, ErrorCode::FORBIDDEN);
  EXPECT_TRUE(amend(n, "A1", {{"BOLT", 4}}, admin()).amended);
}

TEST_F(AmendTest, BadAmendmentsAreRefusedAndChangeNothing) {
  const OrderNo n = accepted_order(10);
  const uint64_t before = w.engine.state_hash();
  EXPECT_EQ(try_amend(n, "A1", {}).error.field, "lines");  // nothing to change
  EXPECT_EQ(try_amend(n, "A 1", {{"BOLT", 1}}).error.field, "amendment_id");
  EXPECT_EQ(try_amend(n, "A1", {{"BOLT", 0}}).error.field, "lines[0].qty");
  EXPECT_EQ(try_amend(999'999, "A1", {{"BOLT", 1}}).error.code, ErrorCode::NOT_FOUND);
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(AmendTest, ShipByAndRefCanBeAmendedAndTheHistoryShowsEachVersion) {
  const OrderNo n = accepted_order(10);
  AmendOrder a;
  a.order_no = n;
  a.amendment_id = Key::of("EDI-1");
  a.ship_by = w.today() + 5;
  a.ref = "PO-77 rev 2";
  const AmendView v = body<AmendView>(w.apply(a, rep(0)));
  ASSERT_TRUE(v.amended);
  amend(n, "EDI-2", {{"BOLT", 500}});  // refused: no stock
  const OrderView o = w.get_order(n);
  EXPECT_EQ(o.ship_by, std::optional<Day>(w.today() + 5));
  EXPECT_EQ(o.ref, "PO-77 rev 2");
  EXPECT_EQ(o.version, 2u);
  ASSERT_EQ(o.amendments.size(), 2u);
  const AmendmentView& first = o.amendments[0];
  EXPECT_EQ(first.amendment_id, Key::of("EDI-1"));
  EXPECT_EQ(first.by, Key::of("rep0"));
  EXPECT_EQ(first.old_ship_by, std::nullopt);
  EXPECT_EQ(first.new_ship_by, std::optional<Day>(w.today() + 5));
  EXPECT_EQ(first.new_ref, "PO-77 rev 2");
  EXPECT_EQ(first.old_lines.size(), 1u);
  EXPECT_EQ(first.new_lines[0].qty, 10);
  EXPECT_EQ(o.amendments[1].new_lines[0].qty, 500);
  EXPECT_FALSE(o.amendments[1].amended);
  EXPECT_EQ(o.amendments[1].version, 2u);
}

TEST_F(AmendTest, APrepaidOrderCutDownGivesItsPrepaymentBack) {
  w.pay("C1", 10'000, "PAY-1");
  SubmitOptions prepaid;
  prepaid.payment = PaymentTerms::prepaid;
  const OrderNo n = w.submit("C1", {{"BOLT", 8}}, prepaid).order_no;
  EXPECT_EQ(w.get_customer("C1").exposure.unapplied, 2000);
  ASSERT_TRUE(amend(n, "A1", {{"BOLT", 3}}).amended);
  EXPECT_EQ(w.get_customer("C1").exposure.unapplied, 7000);
  EXPECT_EQ(w.get_customer("C1").prepaid_reserved, 3000);
  const AmendView more = amend(n, "A2", {{"BOLT", 11}});  // 11,000 > 10,000 paid
  EXPECT_FALSE(more.amended);
  EXPECT_EQ(more.reasons[0].code, Reason::PREPAYMENT_REQUIRED);
  EXPECT_TRUE(amend(n, "A3", {{"BOLT", 10}}).amended);
  EXPECT_EQ(w.get_customer("C1").exposure.unapplied, 0);
}

TEST_F(AmendTest, AmendmentsSurviveASnapshotWithTheSameHash) {
  const OrderNo n = accepted_order(10);
  amend(n, "A1", {{"BOLT", 4}, {"NUT", 2}});
  amend(n, "A2", {{"BOLT", 400}});
  Engine copy = snapshot_copy(w.engine);
  w.engine = std::move(copy);
  const OrderView o = w.get_order(n);
  ASSERT_EQ(o.amendments.size(), 2u);
  EXPECT_EQ(o.amendments[1].amendment_id, Key::of("A2"));
  EXPECT_TRUE(amend(n, "A1", {{"BOLT", 1}}).duplicate);  // the keys came back too
}

}  // namespace
}  // namespace credo::test

// The engine as a state machine: the same commands give the same state, snapshots round-trip
// bit for bit, and a broken image is refused (engine.h).
#include "tests/engine/world.h"

namespace credo::test {
namespace {

// A day of business touching every kind of state: customers in each status, products, orders
// in each state, invoices, payments, credit notes, a write-off, a policy change.
void busy_day(World& w) {
  w.product("BOLT").price(1000).floor(500).stock(100);
  w.product("NUT").price(100).stock(1000);
  w.customer("C1").grade(Grade::A).limit(1'000'000).terms(30).name("Acme");
  w.customer("D1").limit(50'000);
  w.customer("P1");
  w.pay("P1", 10'000, "PRE-1");
  SetPolicy p{w.engine.policy()};
  p.policy.hold_ttl_hours = 48;
  w.apply(p, admin());
  OrderNo a = w.submit("C1", {{"BOLT", 10}, {"NUT", 20}}, {.client_order_id = "PO-1"}).order_no;
  w.submit("D1", {{"BOLT", 3}});       // held
  w.submit("C1", {{"BOLT", 1, 950}});  // held for price
  w.submit("NOPE", {{"BOLT", 1}});     // rejected
  w.submit("P1", {{"NUT", 30}}, {.payment = PaymentTerms::prepaid});
  w.advance_hours(2);
  w.ship(a, {{"BOLT", 4}});
  w.pay("C1", 1500, "PAY-1");
  w.return_goods(a, {{"BOLT", 1}}, true);
  w.advance_days(1);
  w.ship(a);
  w.try_write_off_approved(2);
  w.advance_days(40);
  w.tick();
}

TEST(StateTest, SameCommandsGiveTheSameState) {
  World a, b;
  busy_day(a);
  busy_day(b);
  EXPECT_EQ(a.engine.state_hash(), b.engine.state_hash());
  EXPECT_EQ(a.engine.check_invariants(true), "");
}

TEST(StateTest, SaveAndLoadRoundTripKeepsTheStateHash) {
  World w;
  busy_day(w);
  Engine copy = snapshot_copy(w.engine);
  EXPECT_EQ(copy.now(), w.engine.now());
  EXPECT_EQ(copy.policy(), w.engine.policy());
  EXPECT_EQ(copy.counts().orders, w.engine.counts().orders);
  EXPECT_EQ(copy.check_invariants(true), "");

  // And the copy goes on exactly as the original.
  World& original = w;
  World next;
  next.engine = std::move(copy);
  next.now = original.now;
  next.seq = original.seq;
  OrderView x = original.submit("C1", {{"NUT", 5}});
  OrderView y = next.submit("C1", {{"NUT", 5}});
  EXPECT_EQ(x.order_no, y.order_no);
  EXPECT_EQ(original.engine.state_hash(), next.engine.state_hash());
}

TEST(StateTest, LoadOfABrokenImageFailsAndSaysWhy) {
  World w;
  busy_day(w);
  std::string image;
  w.engine.save(image);
  Engine copy;
  std::string error;
  EXPECT_FALSE(copy.load(image.substr(0, image.size() / 2), &error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(copy.load("not a snapshot", &error));
  EXPECT_EQ(copy.counts().orders, 0u);
}

TEST(StateTest, ReadsChangeNothing) {
  World w;
  busy_day(w);
  uint64_t before = w.engine.state_hash();
  w.get_customer("C1");
  w.query(AgingQuery{});
  w.query(DailyReportQuery{w.today()});
  w.query(ListHeld{});
  w.quote("C1", {{"BOLT", 1}});
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST(StateTest, OrderNumbersStayConsecutive) {
  World w;
  busy_day(w);
  EXPECT_EQ(w.engine.counts().orders, 5u);
  EXPECT_EQ(w.submit("C1", {{"NUT", 1}}).order_no, 100006u);
}

TEST(StateTest, DuplicatesAreRecognizedAfterALoad) {
  World w;
  busy_day(w);
  std::string image;
  w.engine.save(image);
  World restarted;
  std::string error;
  ASSERT_TRUE(restarted.engine.load(image, &error)) << error;
  restarted.now = w.now;
  OrderView o = restarted.submit("C1", {{"BOLT", 1}}, {.client_order_id = "PO-1"});
  EXPECT_TRUE(o.duplicate);
  EXPECT_EQ(o.order_no, 100001u);
  EXPECT_TRUE(restarted.pay("C1", 1500, "PAY-1").duplicate);
}

}  // namespace
}  // namespace credo::test

// list_orders, the contract ledger, and on-time delivery in the daily report (docs/rules.md
// "The order ledger").
#include "tests/engine/world.h"

namespace credo::test {
namespace {

class OrderLedgerTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).stock(1000);
    w.good_customer("C1");
    w.good_customer("C2");
  }
  OrderList list(ListOrders q) { return body<OrderList>(w.query(q)); }
  std::vector<OrderNo> numbers(const OrderList& l) {
    std::vector<OrderNo> out;
    for (const OrderRow& r : l.orders) out.push_back(r.order_no);
    return out;
  }
  OrderNo order(std::string_view customer, Qty qty = 1, std::optional<Day> ship_by = {},
                const Principal& by = rep(0)) {
    OrderRequest r = order_request(customer, {{"BOLT", qty}});
    r.ship_by = ship_by;
    return body<OrderView>(w.apply(SubmitOrder{r}, by)).order_no;
  }
};

TEST_F(OrderLedgerTest, ListsEveryOrderInOrderNoOrderPageByPage) {
  std::vector<OrderNo> all;
  for (int i = 0; i < 5; ++i) all.push_back(order(i % 2 ? "C1" : "C2"));
  ListOrders q;
  q.limit = 2;
  std::vector<OrderNo> seen;
  for (int page = 0; page < 10; ++page) {
    const OrderList l = list(q);
    for (OrderNo n : numbers(l)) seen.push_back(n);
    if (l.next_cursor.empty()) break;
    q.cursor = l.next_cursor;
  }
  EXPECT_EQ(seen, all);
}

TEST_F(OrderLedgerTest, ARowShowsTheOrdersValuesAndWho) {
  const OrderNo n = order("C1", 10, w.today() + 3);
  w.ship(n, {{"BOLT", 4}});
  ListOrders q;
  const OrderList l = list(q);
  ASSERT_EQ(l.orders.size(), 1u);
  const OrderRow& r = l.orders[0];
  EXPECT_EQ(r.order_no, n);
  EXPECT_EQ(r.customer, Key::of("C1"));
  EXPECT_EQ(r.status, OrderStatus::accepted);
  EXPECT_EQ(r.total, 10'000);
  EXPECT_EQ(r.shipped_value, 4'000);
  EXPECT_EQ(r.unshipped_value, 6'000);
  EXPECT_EQ(r.ship_by, std::optional<Day>(w.today() + 3));
  EXPECT_EQ(r.submitted_at, w.now);
  EXPECT_EQ(r.submitted_by, Key::of("rep0"));
  EXPECT_FALSE(r.late);
  EXPECT_TRUE(l.next_cursor.empty());
}

TEST_F(OrderLedgerTest, FiltersByCustomerAndSubmitter) {
  const OrderNo a = order("C1");
  const OrderNo b = order("C2", 1, {}, rep(1));
  const OrderNo c = order("C1", 1, {}, rep(1));
  ListOrders q;
  q.customer = Key::of("C1");
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{a, c}));
  q.submitted_by = Key::of("rep1");
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{c}));
  q.customer.reset();
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{b, c}));
  q.submitted_by = Key::of("nobody");
  EXPECT_TRUE(list(q).orders.empty());
  ListOrders unknown;
  unknown.customer = Key::of("NOPE");
  EXPECT_EQ(w.query(unknown).error.code, ErrorCode::NOT_FOUND);
}

TEST_F(OrderLedgerTest, FiltersByOneStatusOrSeveral) {
  const OrderNo a = order("C1");
  const OrderNo b = order("C1");
  w.cancel(b);
  const OrderNo c = order("C1");
  w.ship(c);
  ListOrders q;
  q.status = "accepted";
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{a}));
  q.status = "cancelled,shipped";
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{b, c}));
  q.status = "accepted,open";
  const Result bad = w.query(q);
  EXPECT_EQ(bad.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(bad.error.field, "status");
}

TEST_F(OrderLedgerTest, FromAndToAreSubmissionDates) {
  const OrderNo a = order("C1");
  w.advance_days(1);
  const OrderNo b = order("C1");
  w.advance_days(1);
  const OrderNo c = order("C2");
  ListOrders q;
  q.from = w.today() - 1;
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{b, c}));
  q.to = w.today() - 1;
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{b}));
  q.customer = Key::of("C1");
  q.from.reset();
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{a, b}));
  q.from = w.today();
  const Result bad = w.query(q);
  EXPECT_EQ(bad.error.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(bad.error.field, "from");
}

TEST_F(OrderLedgerTest, LateOrdersArePastShipByAndNotFullyShipped) {
  const OrderNo due_soon = order("C1", 2, w.today() + 5);
  const OrderNo late = order("C1", 2, w.today() + 1);
  const OrderNo shipped = order("C1", 2, w.today() + 1);
  const OrderNo no_date = order("C1", 2);
  w.ship(shipped);
  w.ship(late, {{"BOLT", 1}});
  w.advance_days(2);
  ListOrders q;
  q.late = true;
  const OrderList l = list(q);
  EXPECT_EQ(numbers(l), (std::vector<OrderNo>{late}));
  EXPECT_TRUE(l.orders[0].late);
  q.late = false;
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{due_soon, shipped, no_date}));
  ListOrders before;
  before.ship_by_before = w.today();
  EXPECT_EQ(numbers(list(before)), (std::vector<OrderNo>{late, shipped}));
}

TEST_F(OrderLedgerTest, ACallExaminesABoundedNumberOfRows) {
  // Rejected orders (an unknown customer) are cheap to make and never match status=accepted.
  SubmitOrders batch;
  for (int i = 0; i < 10'000; ++i) batch.orders.push_back(order_request("NOBODY", {{"BOLT", 1}}));
  ASSERT_TRUE(w.apply(batch, rep(0)).ok());
  const OrderNo last = order("C1");
  ListOrders q;
  q.status = "accepted";
  const OrderList first = list(q);
  EXPECT_TRUE(first.orders.empty());
  ASSERT_FALSE(first.next_cursor.empty());
  q.cursor = first.next_cursor;
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{last}));
}

TEST_F(OrderLedgerTest, ACursorItDidNotGiveOutIsBadRequest) {
  order("C1");
  for (const char* bad : {"c1", "o", "o01", "o99", "ox"}) {
    ListOrders q;
    q.cursor = Key::of(bad);
    const Result r = w.query(q);
    EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST) << bad;
    EXPECT_EQ(r.error.field, "cursor");
  }
  ListOrders q;
  q.limit = 0;
  EXPECT_EQ(w.query(q).error.field, "limit");
}

TEST_F(OrderLedgerTest, TheIndexesAreRebuiltOnLoad) {
  order("C1");
  order("C2", 1, {}, rep(2));
  const OrderNo third = order("C1", 1, {}, rep(2));
  std::string image;
  w.engine.save(image);
  ASSERT_TRUE(w.engine.load(image, nullptr));
  ListOrders q;
  q.customer = Key::of("C1");
  q.submitted_by = Key::of("rep2");
  EXPECT_EQ(numbers(list(q)), (std::vector<OrderNo>{third}));
}

TEST_F(OrderLedgerTest, TheDailyReportCountsOnTimeShipments) {
  const OrderNo on_time = order("C1", 2, w.today());
  const OrderNo late = order("C1", 2, w.today() - 1);
  const OrderNo no_date = order("C1", 2);
  w.ship(on_time, {{"BOLT", 1}});
  w.ship(late);
  w.ship(no_date);
  w.advance_days(1);
  w.ship(on_time);  // the rest, a day after ship_by
  const Day d = w.today() - 1;
  DailyReportView r = body<DailyReportView>(w.query(DailyReportQuery{d}));
  EXPECT_EQ(r.shipments, 3u);
  EXPECT_EQ(r.shipments_with_ship_by, 2u);
  EXPECT_EQ(r.shipments_on_time, 1u);
  r = body<DailyReportView>(w.query(DailyReportQuery{w.today()}));
  EXPECT_EQ(r.shipments_with_ship_by, 1u);
  EXPECT_EQ(r.shipments_on_time, 0u);
}

}  // namespace
}  // namespace credo::test

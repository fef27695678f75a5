// The response writer: every Result type comes out as one line of valid JSON with the field
// names of docs/protocol.md, checked by parsing it back with simdjson.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "net/codec.h"

namespace credo::net {
namespace {

// Writes `r` for `op`, checks the line shape and parses it back.
class WriteTest : public ::testing::Test {
 protected:
  simdjson::dom::element write(std::string_view op, const Result& r, std::string_view id = "7") {
    line_.clear();
    write_result(line_, id, op, r);
    return parse_back();
  }
  simdjson::dom::element parse_back() {
    EXPECT_FALSE(line_.empty());
    EXPECT_EQ(line_.back(), '\n');
    EXPECT_EQ(line_.find('\n'), line_.size() - 1) << "one line only";
    simdjson::dom::element doc;
    auto e = parser_.parse(line_).get(doc);
    EXPECT_EQ(e, simdjson::SUCCESS) << line_;
    return doc;
  }
  std::string line_;
  simdjson::dom::parser parser_;
};

int64_t i64(simdjson::dom::element e, std::string_view key) {
  int64_t v = -999;
  EXPECT_EQ(e[key].get(v), simdjson::SUCCESS) << key;
  return v;
}
std::string str(simdjson::dom::element e, std::string_view key) {
  std::string_view v;
  EXPECT_EQ(e[key].get(v), simdjson::SUCCESS) << key;
  return std::string(v);
}
bool has(simdjson::dom::element e, std::string_view key) {
  return e[key].error() == simdjson::SUCCESS;
}
bool flag(simdjson::dom::element e, std::string_view key) {
  bool b = false;
  EXPECT_EQ(e[key].get(b), simdjson::SUCCESS) << key;
  return b;
}
std::size_t count(simdjson::dom::element e, std::string_view key) {
  simdjson::dom::array a;
  EXPECT_EQ(e[key].get(a), simdjson::SUCCESS) << key;
  return a.size();
}

OrderView sample_order() {
  OrderView o;
  o.order_no = 100042;
  o.customer = Key::of("C1001");
  o.client_order_id = Key::of("PO-88121");
  o.status = OrderStatus::accepted;
  o.decision = OrderStatus::held;
  o.reasons.push_back({Reason::CREDIT_LIMIT, -1, -1, -1});
  o.reasons.push_back({Reason::PRICE_APPROVAL, 1, 2, -1});
  o.reasons.push_back({Reason::INSUFFICIENT_STOCK, 0, -1, 12});
  o.lines.push_back({Key::of("BOLT-M8"), 400, 1000, 0, 400000, 10, 2});
  o.lines.push_back({Key::of("NUT-M8"), 400, 910, 900, 364000, 0, 0});
  o.total = 764000;
  o.has_credit = true;
  o.credit = {1000000, 812000, 188000};
  o.at = *parse_time("2026-11-23T10:15:00.000Z");
  o.ship_by = *parse_date("2026-12-01");
  o.ref = "web \"checkout\"";
  o.submitted_by = Key::of("checkout-eu");
  o.events.push_back({EventKind::submitted, Key::of("checkout-eu"), o.at, 0, 0, ""});
  o.events.push_back({EventKind::shipped, Key::of("wh"), o.at + 1000, 7, 10000, "first"});
  return o;
}

TEST_F(WriteTest, SubmitOrderShowsTheDecision) {
  Result r;
  r.body = sample_order();
  auto d = write("submit_order", r);
  EXPECT_EQ(i64(d, "id"), 7);
  EXPECT_TRUE(flag(d, "ok"));
  EXPECT_EQ(str(d, "status"), "held");
  EXPECT_FALSE(has(d, "decision"));
  EXPECT_EQ(i64(d, "order_no"), 100042);
  EXPECT_EQ(str(d, "customer"), "C1001");
  EXPECT_EQ(str(d, "client_order_id"), "PO-88121");
  EXPECT_EQ(str(d, "payment"), "credit");
  EXPECT_EQ(i64(d, "total"), 764000);
  EXPECT_EQ(str(d, "at"), "2026-11-23T10:15:00.000Z");
  EXPECT_FALSE(has(d, "duplicate"));
  EXPECT_FALSE(has(d, "quote"));
  EXPECT_FALSE(has(d, "events"));
  ASSERT_EQ(count(d, "reasons"), 3u);
  auto r0 = d["reasons"].at(0).value();
  EXPECT_EQ(str(r0, "code"), "CREDIT_LIMIT");
  EXPECT_TRUE(r0["required_level"].is_null());
  EXPECT_FALSE(has(r0, "line"));
  EXPECT_FALSE(has(r0, "available"));
  auto r1 = d["reasons"].at(1).value();
  EXPECT_EQ(i64(r1, "required_level"), 2);
  EXPECT_EQ(i64(r1, "line"), 1);
  auto r2 = d["reasons"].at(2).value();
  EXPECT_EQ(i64(r2, "available"), 12);
  ASSERT_EQ(count(d, "lines"), 2u);
  auto l0 = d["lines"].at(0).value();
  EXPECT_EQ(str(l0, "sku"), "BOLT-M8");
  EXPECT_EQ(i64(l0, "qty"), 400);
  EXPECT_EQ(i64(l0, "unit_price"), 1000);
  EXPECT_EQ(i64(l0, "discount_bp"), 0);
  EXPECT_EQ(i64(l0, "amount"), 400000);
  EXPECT_EQ(i64(l0, "shipped"), 10);
  EXPECT_EQ(i64(l0, "returned"), 2);
  auto credit = d["credit"].value();
  EXPECT_EQ(i64(credit, "limit"), 1000000);
  EXPECT_EQ(i64(credit, "exposure"), 812000);
  EXPECT_EQ(i64(credit, "available"), 188000);
}

TEST_F(WriteTest, DuplicateQuoteAndUnknownCustomer) {
  Result r;
  OrderView& o = r.emplace<OrderView>();
  o = sample_order();
  o.duplicate = true;
  auto d = write("submit_order", r);
  EXPECT_TRUE(flag(d, "duplicate"));
  o.duplicate = false;
  o.quote = true;
  o.order_no = 0;
  o.has_credit = false;
  o.client_order_id = Key{};
  d = write("quote", r);
  EXPECT_TRUE(flag(d, "quote"));
  EXPECT_FALSE(has(d, "order_no"));
  EXPECT_FALSE(has(d, "credit"));
  EXPECT_FALSE(has(d, "client_order_id"));
}

TEST_F(WriteTest, OtherOrderOpsShowStatusNowAndDecision) {
  Result r;
  r.body = sample_order();
  for (const char* op : {"cancel_order", "release_order", "reject_order"}) {
    auto d = write(op, r);
    EXPECT_EQ(str(d, "status"), "accepted") << op;
    EXPECT_EQ(str(d, "decision"), "held") << op;
    EXPECT_FALSE(has(d, "events")) << op;
  }
}

TEST_F(WriteTest, GetOrderAddsHistory) {
  Result r;
  r.body = sample_order();
  std::get<OrderView>(r.body).with_events = true;
  auto d = write("get_order", r);
  EXPECT_EQ(str(d, "status"), "accepted");
  EXPECT_EQ(str(d, "decision"), "held");
  EXPECT_EQ(str(d, "ship_by"), "2026-12-01");
  EXPECT_EQ(str(d, "ref"), "web \"checkout\"");
  EXPECT_EQ(str(d, "submitted_by"), "checkout-eu");
  ASSERT_EQ(count(d, "events"), 2u);
  auto e0 = d["events"].at(0).value();
  EXPECT_EQ(str(e0, "event"), "submitted");
  EXPECT_EQ(str(e0, "by"), "checkout-eu");
  EXPECT_EQ(str(e0, "at"), "2026-11-23T10:15:00.000Z");
  EXPECT_FALSE(has(e0, "number"));
  EXPECT_FALSE(has(e0, "text"));
  auto e1 = d["events"].at(1).value();
  EXPECT_EQ(str(e1, "event"), "shipped");
  EXPECT_EQ(i64(e1, "number"), 7);
  EXPECT_EQ(i64(e1, "amount"), 10000);
  EXPECT_EQ(str(e1, "text"), "first");
}

TEST_F(WriteTest, BatchHasOneResultOrErrorPerOrder) {
  Result r;
  BatchView& b = r.emplace<BatchView>();
  b.results.resize(2);
  b.results[0].order = sample_order();
  b.results[1].error = {ErrorCode::BAD_REQUEST, "total overflows", "lines", {}};
  auto d = write("submit_orders", r);
  EXPECT_TRUE(flag(d, "ok"));
  ASSERT_EQ(count(d, "results"), 2u);
  auto a = d["results"].at(0).value();
  EXPECT_TRUE(flag(a, "ok"));
  EXPECT_EQ(str(a, "status"), "held");
  EXPECT_EQ(i64(a, "order_no"), 100042);
  auto e = d["results"].at(1).value();
  EXPECT_FALSE(flag(e, "ok"));
  EXPECT_EQ(str(e["error"].value(), "code"), "BAD_REQUEST");
  EXPECT_EQ(str(e["error"].value(), "field"), "lines");
}

TEST_F(WriteTest, HeldList) {
  Result r;
  HeldList& h = r.emplace<HeldList>();
  h.orders.push_back(sample_order());
  h.orders[0].status = OrderStatus::held;
  auto d = write("list_held", r);
  ASSERT_EQ(count(d, "orders"), 1u);
  auto o = d["orders"].at(0).value();
  EXPECT_EQ(str(o, "status"), "held");
  EXPECT_EQ(str(o, "decision"), "held");
  EXPECT_EQ(i64(o, "order_no"), 100042);
}

TEST_F(WriteTest, Customer) {
  Result r;
  CustomerView& c = r.emplace<CustomerView>();
  c.customer = Key::of("C1");
  c.name = "Müller & Söhne\n";
  c.grade = Grade::B;
  c.credit_limit = 500;
  c.terms_days = 45;
  c.status = CustomerStatus::on_hold;
  c.status_reason = "OVERDUE_SUSPENSION";
  c.exposure = {1, 2, 3, 4, 2};
  c.available = -10;
  c.prepaid_reserved = 6;
  c.oldest_overdue_days = 61;
  auto d = write("get_customer", r);
  EXPECT_EQ(str(d, "customer"), "C1");
  EXPECT_EQ(str(d, "name"), "Müller & Söhne\n");
  EXPECT_EQ(str(d, "grade"), "B");
  EXPECT_EQ(i64(d, "credit_limit"), 500);
  EXPECT_EQ(i64(d, "terms_days"), 45);
  EXPECT_EQ(str(d, "status"), "on_hold");
  EXPECT_EQ(str(d, "status_reason"), "OVERDUE_SUSPENSION");
  auto x = d["exposure"].value();
  EXPECT_EQ(i64(x, "open_orders"), 1);
  EXPECT_EQ(i64(x, "held"), 2);
  EXPECT_EQ(i64(x, "receivables"), 3);
  EXPECT_EQ(i64(x, "unapplied"), 4);
  EXPECT_EQ(i64(x, "total"), 2);
  EXPECT_EQ(i64(d, "available"), -10);
  EXPECT_EQ(i64(d, "prepaid_reserved"), 6);
  EXPECT_EQ(i64(d, "oldest_overdue_days"), 61);
  c.status_reason.clear();
  EXPECT_FALSE(has(write("get_customer", r), "status_reason"));
}

TEST_F(WriteTest, Product) {
  Result r;
  r.body = ProductView{Key::of("S1"), "Bolt", 1000, 800, 50, 20, 30};
  auto d = write("get_product", r);
  EXPECT_EQ(str(d, "sku"), "S1");
  EXPECT_EQ(str(d, "name"), "Bolt");
  EXPECT_EQ(i64(d, "price"), 1000);
  EXPECT_EQ(i64(d, "floor_price"), 800);
  EXPECT_EQ(i64(d, "on_hand"), 50);
  EXPECT_EQ(i64(d, "reserved"), 20);
  EXPECT_EQ(i64(d, "available"), 30);
}

TEST_F(WriteTest, ShipPaymentReturnWriteOff) {
  Result r;
  ShipView& s = r.emplace<ShipView>();
  s.order_no = 5;
  s.invoice_no = 9;
  s.amount = 1234;
  s.due_date = *parse_date("2027-01-15");
  s.status = OrderStatus::shipped;
  s.lines.push_back({Key::of("S"), 3});
  auto d = write("ship", r);
  EXPECT_EQ(i64(d, "order_no"), 5);
  EXPECT_EQ(i64(d, "invoice_no"), 9);
  EXPECT_EQ(i64(d, "amount"), 1234);
  EXPECT_EQ(str(d, "due_date"), "2027-01-15");
  EXPECT_EQ(str(d, "status"), "shipped");
  EXPECT_EQ(i64(d["lines"].at(0).value(), "qty"), 3);

  PaymentView& p = r.emplace<PaymentView>();
  p.customer = Key::of("C");
  p.payment_ref = Key::of("W-1");
  p.amount = 500;
  p.applied = {{9, 400}, {10, 50}};
  p.unapplied = 50;
  p.duplicate = true;
  d = write("record_payment", r);
  EXPECT_EQ(str(d, "customer"), "C");
  EXPECT_EQ(str(d, "payment_ref"), "W-1");
  EXPECT_EQ(i64(d, "amount"), 500);
  ASSERT_EQ(count(d, "applied"), 2u);
  EXPECT_EQ(i64(d["applied"].at(1).value(), "invoice_no"), 10);
  EXPECT_EQ(i64(d["applied"].at(1).value(), "amount"), 50);
  EXPECT_EQ(i64(d, "unapplied"), 50);
  EXPECT_TRUE(flag(d, "duplicate"));

  ReturnView& rv = r.emplace<ReturnView>();
  rv.order_no = 5;
  rv.credit_note_no = 3;
  rv.amount = 100;
  rv.applied = {{9, 100}};
  rv.unapplied = 0;
  d = write("return_goods", r);
  EXPECT_EQ(i64(d, "order_no"), 5);
  EXPECT_EQ(i64(d, "credit_note_no"), 3);
  EXPECT_EQ(i64(d, "amount"), 100);
  EXPECT_EQ(count(d, "applied"), 1u);
  EXPECT_EQ(i64(d, "unapplied"), 0);

  r.body = WriteOffView{9, Key::of("C"), 700};
  d = write("write_off", r);
  EXPECT_EQ(i64(d, "invoice_no"), 9);
  EXPECT_EQ(str(d, "customer"), "C");
  EXPECT_EQ(i64(d, "amount"), 700);
}

TEST_F(WriteTest, TickAndPolicy) {
  Result r;
  r.body = TickView{*parse_time("2026-11-23T00:00:00Z"), 1, 2, 3, 4};
  auto d = write("set_clock", r);
  EXPECT_EQ(str(d, "now"), "2026-11-23T00:00:00.000Z");
  EXPECT_EQ(i64(d, "held_expired"), 1);
  EXPECT_EQ(i64(d, "accepted_expired"), 2);
  EXPECT_EQ(i64(d, "customers_suspended"), 3);
  EXPECT_EQ(i64(d, "customers_reactivated"), 4);
  r.body = PolicyView{};
  d = write("set_policy", r);
  EXPECT_EQ(count(d["policy"].value(), "approve_total_max_minor"), 4u);
  EXPECT_EQ(i64(d["policy"].value(), "hold_ttl_hours"), 72);
}

void expect_buckets(simdjson::dom::element e, int64_t base) {
  EXPECT_EQ(i64(e, "current"), base + 1);
  EXPECT_EQ(i64(e, "d1_30"), base + 2);
  EXPECT_EQ(i64(e, "d31_60"), base + 3);
  EXPECT_EQ(i64(e, "d61_90"), base + 4);
  EXPECT_EQ(i64(e, "d90_plus"), base + 5);
  EXPECT_EQ(i64(e, "total"), base + 15);
}
AgingBuckets buckets(int64_t base) {
  return {base + 1, base + 2, base + 3, base + 4, base + 5, base + 15};
}

TEST_F(WriteTest, Aging) {
  Result r;
  AgingView& a = r.emplace<AgingView>();
  a.per_customer = true;
  a.customer = Key::of("C1");
  a.buckets = buckets(0);
  auto d = write("aging", r);
  EXPECT_EQ(str(d, "customer"), "C1");
  expect_buckets(d, 0);
  a.per_customer = false;
  a.buckets = buckets(100);
  a.top.push_back({Key::of("C2"), buckets(10), 14});
  a.customers_with_receivables = 3;
  d = write("aging", r);
  expect_buckets(d["totals"].value(), 100);
  ASSERT_EQ(count(d, "top"), 1u);
  auto row = d["top"].at(0).value();
  EXPECT_EQ(str(row, "customer"), "C2");
  expect_buckets(row, 10);
  EXPECT_EQ(i64(row, "overdue"), 14);
  EXPECT_EQ(i64(d, "customers_with_receivables"), 3);
}

TEST_F(WriteTest, Statement) {
  Result r;
  StatementView& s = r.emplace<StatementView>();
  s.customer = Key::of("C1");
  s.from = *parse_date("2026-01-01");
  s.to = *parse_date("2026-01-31");
  s.opening_balance = 10;
  s.entries.push_back({EntryKind::invoice, *parse_date("2026-01-02"), 9, Key{}, 100, 110, 0, {}});
  s.entries.push_back({EntryKind::payment, *parse_date("2026-01-03"), 1, Key::of("W-1"), -50, 60, 0, {}});
  s.entries.push_back({EntryKind::credit_note, *parse_date("2026-01-04"), 2, Key{}, -10, 50, 0, {}});
  s.entries.push_back({EntryKind::write_off, *parse_date("2026-01-05"), 9, Key{}, -50, 0, 0, {}});
  s.closing_balance = 0;
  s.aging = buckets(0);
  s.truncated = true;
  auto d = write("statement", r);
  EXPECT_EQ(str(d, "customer"), "C1");
  EXPECT_EQ(str(d, "from"), "2026-01-01");
  EXPECT_EQ(str(d, "to"), "2026-01-31");
  EXPECT_EQ(i64(d, "opening_balance"), 10);
  ASSERT_EQ(count(d, "entries"), 4u);
  auto e0 = d["entries"].at(0).value();
  EXPECT_EQ(str(e0, "type"), "invoice");
  EXPECT_EQ(str(e0, "date"), "2026-01-02");
  EXPECT_EQ(i64(e0, "number"), 9);
  EXPECT_FALSE(has(e0, "ref"));
  EXPECT_EQ(i64(e0, "amount"), 100);
  EXPECT_EQ(i64(e0, "balance"), 110);
  auto e1 = d["entries"].at(1).value();
  EXPECT_EQ(str(e1, "type"), "payment");
  EXPECT_EQ(str(e1, "ref"), "W-1");
  EXPECT_EQ(str(d["entries"].at(2).value(), "type"), "credit_note");
  EXPECT_EQ(str(d["entries"].at(3).value(), "type"), "write_off");
  EXPECT_EQ(i64(d, "closing_balance"), 0);
  expect_buckets(d["aging"].value(), 0);
  EXPECT_TRUE(flag(d, "truncated"));
}

TEST_F(WriteTest, DailyReport) {
  Result r;
  DailyReportView& v = r.emplace<DailyReportView>();
  v.date = *parse_date("2026-11-23");
  for (int i = 0; i < 6; i++) v.by_status[i] = {static_cast<uint64_t>(i), i * 100};
  v.holds_by_reason[static_cast<int>(Reason::CREDIT_LIMIT)] = 4;
  v.shipments = 1;
  v.shipped_value = 2;
  v.payments = 3;
  v.payments_received = 4;
  v.returns = 5;
  v.returns_value = 6;
  v.write_offs = 7;
  v.written_off = 8;
  auto d = write("daily_report", r);
  EXPECT_EQ(str(d, "date"), "2026-11-23");
  auto orders = d["orders"].value();
  const char* names[] = {"accepted", "held", "rejected", "expired", "cancelled", "shipped"};
  for (int i = 0; i < 6; i++) {
    EXPECT_EQ(i64(orders[names[i]].value(), "count"), i);
    EXPECT_EQ(i64(orders[names[i]].value(), "value"), i * 100);
  }
  auto holds = d["holds_by_reason"].value();
  EXPECT_EQ(i64(holds, "CREDIT_LIMIT"), 4);
  EXPECT_FALSE(has(holds, "OVERDUE"));
  EXPECT_EQ(i64(d, "shipments"), 1);
  EXPECT_EQ(i64(d, "shipped_value"), 2);
  EXPECT_EQ(i64(d, "payments"), 3);
  EXPECT_EQ(i64(d, "payments_received"), 4);
  EXPECT_EQ(i64(d, "returns"), 5);
  EXPECT_EQ(i64(d, "returns_value"), 6);
  EXPECT_EQ(i64(d, "write_offs"), 7);
  EXPECT_EQ(i64(d, "written_off"), 8);
}

TEST_F(WriteTest, ErrorsAndOk) {
  Result r;
  r.error = {ErrorCode::NOT_FOUND, "no such order \"5\"", "", {}};
  auto d = write("get_order", r, "\"abc\"");
  EXPECT_EQ(str(d, "id"), "abc");
  EXPECT_FALSE(flag(d, "ok"));
  auto e = d["error"].value();
  EXPECT_EQ(str(e, "code"), "NOT_FOUND");
  EXPECT_EQ(str(e, "message"), "no such order \"5\"");
  EXPECT_FALSE(has(e, "field"));

  line_.clear();
  write_error(line_, "", {ErrorCode::BAD_REQUEST, "lines[2].qty: bad", "lines[2].qty", {}});
  d = parse_back();
  EXPECT_FALSE(has(d, "id"));
  EXPECT_EQ(str(d["error"].value(), "field"), "lines[2].qty");

  line_.clear();
  write_ok(line_, "12");
  EXPECT_EQ(line_, "{\"id\":12,\"ok\":true}\n");
  line_.clear();
  write_ok(line_, "");
  EXPECT_EQ(line_, "{\"ok\":true}\n");
}

TEST_F(WriteTest, ParsedIdEchoesBack) {
  RequestParser p;
  std::string in = R"({"id":"we\"ird\u0001","op":"ping"})";
  std::size_t n = in.size();
  in.resize(n + kParsePadding);
  Request req;
  Error err;
  ASSERT_TRUE(p.parse(std::string_view(in.data(), n), req, err));
  line_.clear();
  write_ok(line_, req.id_json);
  auto d = parse_back();
  EXPECT_EQ(str(d, "id"), "we\"ird\x01");
}

}  // namespace
}  // namespace credo::net

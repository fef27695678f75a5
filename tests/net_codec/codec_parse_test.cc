// The request parser: every op of docs/protocol.md parses into the right Command or Query, and
// every kind of bad input gets the exact error code and field.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "net/codec.h"
#include "tests/common/fault_matrix.h"

namespace credo::net {
namespace {

// Parses `line` the way the server does: from a buffer with kParsePadding bytes after it.
struct Parse {
  bool ok = false;
  Request req;
  Error err;
};
Parse parse_line(RequestParser& p, std::string_view line) {
  std::string buf(line);
  buf.resize(line.size() + kParsePadding, 'x');  // padding content must not matter
  Parse r;
  r.ok = p.parse(std::string_view(buf.data(), line.size()), r.req, r.err);
  return r;
}

class ParseTest : public ::testing::Test {
 protected:
  Parse ok(std::string_view line) {
    Parse r = parse_line(parser_, line);
    EXPECT_TRUE(r.ok) << line << " -> " << to_string(r.err.code) << " " << r.err.message;
    return r;
  }
  template <typename T>
  T command(std::string_view line) {
    Parse r = ok(line);
    EXPECT_EQ(r.req.kind, RequestKind::command) << line;
    const T* c = std::get_if<T>(&r.req.command);
    EXPECT_NE(c, nullptr) << line;
    return c ? *c : T{};
  }
  template <typename T>
  T query(std::string_view line) {
    Parse r = ok(line);
    EXPECT_EQ(r.req.kind, RequestKind::query) << line;
    const T* q = std::get_if<T>(&r.req.query);
    EXPECT_NE(q, nullptr) << line;
    return q ? *q : T{};
  }
  void bad(std::string_view line, ErrorCode code, std::string_view field) {
    Parse r = parse_line(parser_, line);
    EXPECT_FALSE(r.ok) << line;
    EXPECT_EQ(to_string(r.err.code), std::string(to_string(code)))
        << line << " -> " << r.err.message;
    EXPECT_EQ(r.err.field, field) << line << " -> " << r.err.message;
    ++refused_;
    last_refusal_ = std::string(to_string(r.err.code)) + " '" + r.err.message + "'";
  }
  // A fault-matrix row for the bad() inputs of this test, once they all passed.
  void record(std::string_view fault) {
    if (HasFailure()) return;
    test::record_fault("Request parser", fault,
                       (refused_ == 1 ? std::string("1 input, refused")
                                      : std::to_string(refused_) + " inputs, each refused") +
                           " with the exact code and field (last: " + last_refusal_ + ")");
  }
  RequestParser parser_;
  int refused_ = 0;
  std::string last_refusal_;
};

Day date(const char* s) {
  return *parse_date(s);
}

// ---- the envelope -----------------------------------------------------------------------------
TEST_F(ParseTest, EchoesStringAndIntegerIds) {
  EXPECT_EQ(ok(R"({"id":7,"op":"ping"})").req.id_json, "7");
  EXPECT_EQ(ok(R"({"id":-12,"op":"ping"})").req.id_json, "-12");
  EXPECT_EQ(ok(R"({"id":"a\"b","op":"ping"})").req.id_json, R"("a\"b")");
  EXPECT_EQ(ok(R"({"id":"\u0041","op":"ping"})").req.id_json, R"("A")");
  EXPECT_EQ(ok(R"({"op":"ping"})").req.id_json, "");
  EXPECT_EQ(ok(R"({"id":18446744073709551615,"op":"ping"})").req.id_json, "18446744073709551615");
}

TEST_F(ParseTest, OpMayComeAfterOtherFields) {
  auto c = command<ReceiveStock>(R"({"sku":"S1","qty":5,"op":"receive_stock","id":3})");
  EXPECT_EQ(c.sku.view(), "S1");
  EXPECT_EQ(c.qty, 5);
  Parse r = ok(R"({"qty":5,"id":"x","op":"receive_stock","sku":"S1"})");
  EXPECT_EQ(r.req.id_json, "\"x\"");
  EXPECT_EQ(std::get<ReceiveStock>(r.req.command).sku.view(), "S1");
}

TEST_F(ParseTest, ServerOps) {
  Parse r = ok(R"({"op":"hello","key":"s3cret"})");
  EXPECT_EQ(r.req.kind, RequestKind::hello);
  EXPECT_EQ(r.req.key, "s3cret");
  EXPECT_EQ(r.req.op, "hello");
  EXPECT_EQ(ok(R"({"op":"ping"})").req.kind, RequestKind::ping);
  EXPECT_EQ(ok(R"({"op":"stats"})").req.kind, RequestKind::stats);
  EXPECT_EQ(ok(R"({"op":"snapshot"})").req.kind, RequestKind::snapshot);
  r = ok(R"({"op":"set_clock","now":"2026-11-23T10:15:00.000Z"})");
  EXPECT_EQ(r.req.kind, RequestKind::set_clock);
  EXPECT_EQ(r.req.clock_now, *parse_time("2026-11-23T10:15:00.000Z"));
  command<Tick>(R"({"op":"tick"})");
}

TEST_F(ParseTest, Whitespace) {
  EXPECT_EQ(ok(" \t{ \"op\" : \"ping\" , \"id\" : 1 }  \r").req.id_json, "1");
}

// ---- master data --------------------------------------------------------------------------
TEST_F(ParseTest, UpsertCustomerAllFields) {
  auto c = command<UpsertCustomer>(
      R"({"op":"upsert_customer","customer":"C1001","name":"Acme \"GmbH\" \u00e9","grade":"B",)"
      R"("credit_limit":1000000,"terms_days":45,"status":"on_hold"})");
  EXPECT_EQ(c.customer.view(), "C1001");
  EXPECT_EQ(*c.name, "Acme \"GmbH\" \xc3\xa9");
  EXPECT_EQ(*c.grade, Grade::B);
  EXPECT_EQ(*c.credit_limit, 1000000);
  EXPECT_EQ(*c.terms_days, 45);
  EXPECT_EQ(*c.status, CustomerStatus::on_hold);
  auto d = command<UpsertCustomer>(R"({"op":"upsert_customer","customer":"C2"})");
  EXPECT_FALSE(d.name || d.grade || d.credit_limit || d.terms_days || d.status);
}

TEST_F(ParseTest, SetCreditAndStatus) {
  auto c = command<SetCredit>(
      R"({"op":"set_credit","customer":"C1","credit_limit":5,"grade":"A","terms_days":0,)"
      R"("reason":"review"})");
  EXPECT_EQ(*c.credit_limit, 5);
  EXPECT_EQ(*c.grade, Grade::A);
  EXPECT_EQ(*c.terms_days, 0);
  EXPECT_EQ(c.reason, "review");
  auto s = command<SetCustomerStatus>(
      R"({"op":"set_customer_status","customer":"C1","status":"blocked","reason":"fraud"})");
  EXPECT_EQ(s.customer.view(), "C1");
  EXPECT_EQ(s.status, CustomerStatus::blocked);
  EXPECT_EQ(s.reason, "fraud");
}

TEST_F(ParseTest, ProductsAndStock) {
  auto p = command<UpsertProduct>(
      R"({"op":"upsert_product","sku":"BOLT-M8","name":"Bolt","price":1000,"floor_price":800,)"
      R"("on_hand":5000})");
  EXPECT_EQ(p.sku.view(), "BOLT-M8");
  EXPECT_EQ(*p.name, "Bolt");
  EXPECT_EQ(*p.price, 1000);
  EXPECT_EQ(*p.floor_price, 800);
  EXPECT_EQ(*p.on_hand, 5000);
  auto q = command<UpsertProduct>(R"({"op":"upsert_product","sku":"X"})");
  EXPECT_FALSE(q.price || q.floor_price || q.on_hand || q.name);
  auto r = command<ReceiveStock>(R"({"op":"receive_stock","sku":"X","qty":1000000000})");
  EXPECT_EQ(r.qty, 1'000'000'000);
  auto a = command<AdjustStock>(R"({"op":"adjust_stock","sku":"X","on_hand":0})");
  EXPECT_EQ(a.on_hand, 0);
}

// ---- orders ---------------------------------------------------------------------------------
constexpr const char* kOrder =
    R"({"id":7,"op":"submit_order","client_order_id":"PO-88121","customer":"C1001",)"
    R"("payment":"prepaid","ship_by":"2026-12-01","ref":"web checkout 5531",)"
    R"("lines":[{"sku":"BOLT-M8","qty":400},{"sku":"NUT-M8","qty":400,"unit_price":9},)"
    R"({"sku":"W","qty":1,"unit_price":0}]})";

void expect_order(const OrderRequest& o) {
  EXPECT_EQ(o.customer.view(), "C1001");
  EXPECT_EQ(o.client_order_id.view(), "PO-88121");
  EXPECT_EQ(o.payment, PaymentTerms::prepaid);
  EXPECT_EQ(o.ship_by, date("2026-12-01"));
  EXPECT_EQ(o.ref, "web checkout 5531");
  ASSERT_EQ(o.lines.size(), 3u);
  EXPECT_EQ(o.lines[0].sku.view(), "BOLT-M8");
  EXPECT_EQ(o.lines[0].qty, 400);
  EXPECT_FALSE(o.lines[0].unit_price);
  EXPECT_EQ(o.lines[1].sku.view(), "NUT-M8");
  EXPECT_EQ(*o.lines[1].unit_price, 9);
  EXPECT_EQ(*o.lines[2].unit_price, 0);
}

TEST_F(ParseTest, SubmitOrderAllFields) {
  expect_order(command<SubmitOrder>(kOrder).order);
  EXPECT_EQ(ok(kOrder).req.id_json, "7");
}

TEST_F(ParseTest, SubmitOrderDefaults) {
  auto o =
      command<SubmitOrder>(R"({"op":"submit_order","customer":"C","lines":[{"sku":"S","qty":1}]})")
          .order;
  EXPECT_TRUE(o.client_order_id.empty());
  EXPECT_EQ(o.payment, PaymentTerms::credit);
  EXPECT_FALSE(o.ship_by);
  EXPECT_TRUE(o.ref.empty());
}

TEST_F(ParseTest, ReusedRequestForgetsEarlierFields) {
  Request req;
  Error err;
  std::string a = std::string(kOrder) + std::string(kParsePadding, ' ');
  ASSERT_TRUE(parser_.parse(std::string_view(a.data(), a.size() - kParsePadding), req, err));
  std::string b = R"({"op":"submit_order","customer":"C","lines":[{"sku":"S","qty":1}]})";
  std::size_t n = b.size();
  b.resize(n + kParsePadding);
  ASSERT_TRUE(parser_.parse(std::string_view(b.data(), n), req, err));
  const auto& o = std::get<SubmitOrder>(req.command).order;
  EXPECT_EQ(req.id_json, "");
  EXPECT_TRUE(o.client_order_id.empty());
  EXPECT_EQ(o.payment, PaymentTerms::credit);
  EXPECT_FALSE(o.ship_by);
  EXPECT_TRUE(o.ref.empty());
  ASSERT_EQ(o.lines.size(), 1u);
  EXPECT_FALSE(o.lines[0].unit_price);
}

TEST_F(ParseTest, QuoteIsAQuery) {
  std::string line = kOrder;
  line.replace(line.find("submit_order"), 12, "quote");
  expect_order(query<Quote>(line).order);
}

TEST_F(ParseTest, SubmitOrders) {
  auto b = command<SubmitOrders>(
      R"({"op":"submit_orders","orders":[{"customer":"A","lines":[{"sku":"S","qty":1}]},)"
      R"({"customer":"B","client_order_id":"P2","lines":[{"sku":"T","qty":2,"unit_price":3}]}]})");
  ASSERT_EQ(b.orders.size(), 2u);
  EXPECT_EQ(b.orders[0].customer.view(), "A");
  EXPECT_EQ(b.orders[1].client_order_id.view(), "P2");
  EXPECT_EQ(*b.orders[1].lines[0].unit_price, 3);
  EXPECT_TRUE(command<SubmitOrders>(R"({"op":"submit_orders","orders":[]})").orders.empty());
}

TEST_F(ParseTest, OrderLifecycleOps) {
  auto c = command<CancelOrder>(R"({"op":"cancel_order","order_no":100042,"reason":"dup"})");
  EXPECT_EQ(c.order_no, 100042u);
  EXPECT_EQ(c.reason, "dup");
  auto r = command<ReleaseOrder>(R"({"op":"release_order","order_no":5,"note":"ok by GM"})");
  EXPECT_EQ(r.order_no, 5u);
  EXPECT_EQ(r.note, "ok by GM");
  auto j = command<RejectOrder>(R"({"op":"reject_order","order_no":6,"reason":"risk"})");
  EXPECT_EQ(j.order_no, 6u);
  EXPECT_EQ(j.reason, "risk");
}

TEST_F(ParseTest, GetOrderEitherWay) {
  auto a = query<GetOrder>(R"({"op":"get_order","order_no":9})");
  EXPECT_EQ(a.order_no, 9u);
  auto b = query<GetOrder>(R"({"op":"get_order","customer":"C","client_order_id":"P"})");
  EXPECT_EQ(b.order_no, 0u);
  EXPECT_EQ(b.customer.view(), "C");
  EXPECT_EQ(b.client_order_id.view(), "P");
}

TEST_F(ParseTest, ListHeld) {
  auto a = query<ListHeld>(R"({"op":"list_held"})");
  EXPECT_FALSE(a.customer);
  EXPECT_FALSE(a.reason);
  EXPECT_EQ(a.limit, 100u);
  auto b =
      query<ListHeld>(R"({"op":"list_held","customer":"C","reason":"CREDIT_LIMIT","limit":5})");
  EXPECT_EQ(b.customer->view(), "C");
  EXPECT_EQ(*b.reason, Reason::CREDIT_LIMIT);
  EXPECT_EQ(b.limit, 5u);
}

// ---- fulfilment and money -------------------------------------------------------------------
TEST_F(ParseTest, Ship) {
  auto a = command<Ship>(R"({"op":"ship","order_no":3})");
  EXPECT_EQ(a.order_no, 3u);
  EXPECT_TRUE(a.lines.empty());
  auto b = command<Ship>(R"({"op":"ship","order_no":3,"lines":[{"sku":"S","qty":2}]})");
  ASSERT_EQ(b.lines.size(), 1u);
  EXPECT_EQ(b.lines[0].sku.view(), "S");
  EXPECT_EQ(b.lines[0].qty, 2);
}

TEST_F(ParseTest, MoneyOps) {
  auto p = command<RecordPayment>(
      R"({"op":"record_payment","customer":"C","amount":9223372036854775807,"payment_ref":"W-1"})");
  EXPECT_EQ(p.customer.view(), "C");
  EXPECT_EQ(p.amount, INT64_MAX);
  EXPECT_EQ(p.payment_ref.view(), "W-1");
  auto r = command<ReturnGoods>(
      R"({"op":"return_goods","order_no":4,"lines":[{"sku":"S","qty":1}],"restock":true,)"
      R"("reason":"damaged"})");
  EXPECT_EQ(r.order_no, 4u);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_TRUE(r.restock);
  EXPECT_EQ(r.reason, "damaged");
  auto w = command<WriteOff>(R"({"op":"write_off","invoice_no":77,"reason":"bankrupt"})");
  EXPECT_EQ(w.invoice_no, 77u);
  EXPECT_EQ(w.reason, "bankrupt");
}

// ---- reports --------------------------------------------------------------------------------
TEST_F(ParseTest, Reports) {
  EXPECT_EQ(query<GetCustomer>(R"({"op":"get_customer","customer":"C9"})").customer.view(), "C9");
  EXPECT_EQ(query<GetProduct>(R"({"op":"get_product","sku":"S9"})").sku.view(), "S9");
  EXPECT_FALSE(query<AgingQuery>(R"({"op":"aging"})").customer);
  EXPECT_EQ(query<AgingQuery>(R"({"op":"aging","customer":"C"})").customer->view(), "C");
  auto s = query<StatementQuery>(
      R"({"op":"statement","customer":"C","from":"2024-02-29","to":"2024-03-31"})");
  EXPECT_EQ(s.customer.view(), "C");
  EXPECT_EQ(s.from, date("2024-02-29"));
  EXPECT_EQ(s.to, date("2024-03-31"));
  EXPECT_EQ(query<DailyReportQuery>(R"({"op":"daily_report","date":"2026-11-23"})").date,
            date("2026-11-23"));
}

TEST_F(ParseTest, SetPolicy) {
  auto p =
      command<SetPolicy>(
          R"({"op":"set_policy","approve_total_max_minor":[1,2,3,4],"discount_max_bp":[0,100,200,10000],)"
          R"("hold_ttl_hours":24,"order_ttl_days":10,"overdue_hold_days":5,"suspend_after_days":90})")
          .policy;
  EXPECT_EQ(p.approve_total_max_minor[3], 4);
  EXPECT_EQ(p.discount_max_bp[1], 100);
  EXPECT_EQ(p.hold_ttl_hours, 24);
  EXPECT_EQ(p.order_ttl_days, 10);
  EXPECT_EQ(p.overdue_hold_days, 5);
  EXPECT_EQ(p.suspend_after_days, 90);
  EXPECT_EQ(command<SetPolicy>(R"({"op":"set_policy"})").policy, Policy{});
}

// ---- bad input ------------------------------------------------------------------------------
TEST_F(ParseTest, NotAJsonObjectIsBadJson) {
  bad("", ErrorCode::BAD_JSON, "");
  bad("   ", ErrorCode::BAD_JSON, "");
  bad("[1,2]", ErrorCode::BAD_JSON, "");
  bad(R"("op")", ErrorCode::BAD_JSON, "");
  bad("42", ErrorCode::BAD_JSON, "");
  bad("null", ErrorCode::BAD_JSON, "");
  bad(R"({"op":"ping")", ErrorCode::BAD_JSON, "");  // truncated
  bad(R"({"op":"submit_order","lines":[{"sku":"S")", ErrorCode::BAD_JSON, "");
  bad(R"({"op":"ping"} x)", ErrorCode::BAD_JSON, "");  // trailing garbage
  bad(R"({"op":"ping"}})", ErrorCode::BAD_JSON, "");
  bad(R"({"op":"ping"}{"op":"ping"})", ErrorCode::BAD_JSON, "");
  bad(R"({"op":"ping",})", ErrorCode::BAD_JSON, "");
  bad(R"({"op" "ping"})", ErrorCode::BAD_JSON, "");
  bad(R"({op:"ping"})", ErrorCode::BAD_JSON, "");
  bad(std::string("{\"op\":\"ping\"}\0\x01", 15), ErrorCode::BAD_JSON, "");  // binary bytes
  bad("\x89PNG\r\n\x1a\n", ErrorCode::BAD_JSON, "");
  bad("{\"op\":\"hello\",\"key\":\"\xc3\x28\"}", ErrorCode::BAD_JSON, "");  // invalid UTF-8
  bad("{\"op\":\"hello\",\"key\":\"\xff\"}", ErrorCode::BAD_JSON, "");
  bad(R"({"op":"hello","key":"\ud800"})", ErrorCode::BAD_JSON, "");  // lone surrogate
  bad(R"({"op":"hello","key":"a\qb"})", ErrorCode::BAD_JSON, "");    // bad escape
  bad(R"({"op":"receive_stock","sku":"S","qty":01})", ErrorCode::BAD_JSON, "");
  bad(R"({"op":"receive_stock","sku":"S","qty":tru})", ErrorCode::BAD_JSON, "");
}

TEST_F(ParseTest, BrokenJsonAfterABadFieldIsStillBadJson) {
  // The first problem found is a bad field, but the line is not JSON at all.
  bad(R"({"op":"ping","x":1,"y":[1,}})", ErrorCode::BAD_JSON, "");
  bad(R"({"op":"nope","y":tru})", ErrorCode::BAD_JSON, "");
  bad(R"({"op":"receive_stock","qty":1.5,"sku":"\x"})", ErrorCode::BAD_JSON, "");
}

TEST_F(ParseTest, UnknownOp) {
  bad(R"({"op":"launch_missiles"})", ErrorCode::UNKNOWN_OP, "op");
  bad(R"({"op":""})", ErrorCode::UNKNOWN_OP, "op");
  bad(R"({"op":"PING"})", ErrorCode::UNKNOWN_OP, "op");
}

// The answer quotes at most 64 bytes of an unknown op's name, cut on a character boundary:
// found by fuzz_request_parser (a 2-byte "é" straddling byte 64 made the answer invalid UTF-8).
TEST_F(ParseTest, UnknownOpNameIsQuotedWithoutSplittingACharacter) {
  const std::string name = std::string(63, 'x') + "\u00e9tc";  // é is bytes 63 and 64
  Parse r = parse_line(parser_, "{\"op\":\"" + name + "\"}");
  ASSERT_EQ(r.err.code, ErrorCode::UNKNOWN_OP);
  std::string out;
  write_error(out, r.req.id_json, r.err);
  simdjson::dom::parser json;
  simdjson::dom::element doc;
  EXPECT_EQ(json.parse(out).get(doc), simdjson::SUCCESS) << out;
  EXPECT_EQ(r.err.message.rfind("unknown op \"" + std::string(63, 'x') + "\" (", 0), 0u)
      << r.err.message;
}

// A typo gets the nearest op's name, and every unknown op the place where the ops are listed.
TEST_F(ParseTest, UnknownOpNamesTheClosestOpAndWhereTheListIs) {
  Parse typo = parse_line(parser_, R"({"op":"submit_ordr"})");
  ASSERT_EQ(typo.err.code, ErrorCode::UNKNOWN_OP);
  EXPECT_EQ(typo.err.message,
            "unknown op \"submit_ordr\"; did you mean \"submit_order\"? (every op is listed in "
            "docs/protocol.md \"Operations\" and by credo-cli --help)");
  Parse upper = parse_line(parser_, R"({"op":"PING"})");
  EXPECT_NE(upper.err.message.find("did you mean \"ping\"?"), std::string::npos)
      << upper.err.message;
  Parse far = parse_line(parser_, R"({"op":"launch_missiles"})");
  ASSERT_EQ(far.err.code, ErrorCode::UNKNOWN_OP);
  EXPECT_EQ(far.err.message.find("did you mean"), std::string::npos) << far.err.message;
  EXPECT_NE(far.err.message.find("credo-cli --help"), std::string::npos);
}

TEST_F(ParseTest, EnvelopeErrors) {
  bad(R"({"id":1})", ErrorCode::BAD_REQUEST, "op");
  bad(R"({})", ErrorCode::BAD_REQUEST, "op");
  bad(R"({"op":7})", ErrorCode::BAD_REQUEST, "op");
  bad(R"({"op":"ping","op":"ping"})", ErrorCode::BAD_REQUEST, "op");
  bad(R"({"id":1.5,"op":"ping"})", ErrorCode::BAD_REQUEST, "id");
  bad(R"({"id":null,"op":"ping"})", ErrorCode::BAD_REQUEST, "id");
  bad(R"({"id":true,"op":"ping"})", ErrorCode::BAD_REQUEST, "id");
  bad(R"({"id":[1],"op":"ping"})", ErrorCode::BAD_REQUEST, "id");
  bad(R"({"id":{},"op":"ping"})", ErrorCode::BAD_REQUEST, "id");
  bad(R"({"id":1,"id":2,"op":"ping"})", ErrorCode::BAD_REQUEST, "id");
  bad(R"({"op":"ping","extra":1})", ErrorCode::BAD_REQUEST, "extra");
  bad(R"({"extra":1,"op":"ping"})", ErrorCode::BAD_REQUEST, "extra");
}

TEST_F(ParseTest, IdIsEchoedEvenOnFailure) {
  Parse r = parse_line(parser_, R"({"op":"receive_stock","qty":1.5,"id":"abc","sku":"S"})");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.err.field, "qty");
  EXPECT_EQ(r.req.id_json, "\"abc\"");
  r = parse_line(parser_, R"({"op":"nope","id":5})");
  EXPECT_EQ(r.err.code, ErrorCode::UNKNOWN_OP);
  EXPECT_EQ(r.req.id_json, "5");
  r = parse_line(parser_, R"({"id":5,"op":"ping"} garbage)");
  EXPECT_EQ(r.err.code, ErrorCode::BAD_JSON);
}

TEST_F(ParseTest, WrongTypes) {
  bad(R"({"op":"receive_stock","sku":5,"qty":1})", ErrorCode::BAD_REQUEST, "sku");
  bad(R"({"op":"receive_stock","sku":"S","qty":"1"})", ErrorCode::BAD_REQUEST, "qty");
  bad(R"({"op":"receive_stock","sku":"S","qty":null})", ErrorCode::BAD_REQUEST, "qty");
  bad(R"({"op":"receive_stock","sku":"S","qty":[1]})", ErrorCode::BAD_REQUEST, "qty");
  bad(R"({"op":"return_goods","order_no":1,"lines":[{"sku":"S","qty":1}],"restock":1,"reason":"r"})",
      ErrorCode::BAD_REQUEST, "restock");
  bad(R"({"op":"submit_order","customer":"C","lines":{"sku":"S","qty":1}})", ErrorCode::BAD_REQUEST,
      "lines");
  bad(R"({"op":"submit_order","customer":"C","lines":[5]})", ErrorCode::BAD_REQUEST, "lines[0]");
  bad(R"({"op":"upsert_customer","customer":"C","name":7})", ErrorCode::BAD_REQUEST, "name");
  bad(R"({"op":"cancel_order","order_no":"5"})", ErrorCode::BAD_REQUEST, "order_no");
}

TEST_F(ParseTest, MoneyMustBeAnInt64Integer) {
  const char* amounts[] = {"1.5",
                           "100.0",
                           "1e3",
                           "-0.0",
                           "\"100\"",
                           "9223372036854775808",
                           "18446744073709551616",
                           "99999999999999999999999"};
  for (const char* a : amounts) {
    std::string line = std::string(R"({"op":"record_payment","customer":"C","payment_ref":"R",)") +
                       R"("amount":)" + a + "}";
    bad(line, ErrorCode::BAD_REQUEST, "amount");
  }
  bad(R"({"op":"record_payment","customer":"C","payment_ref":"R","amount":0})",
      ErrorCode::BAD_REQUEST, "amount");
  bad(R"({"op":"record_payment","customer":"C","payment_ref":"R","amount":-5})",
      ErrorCode::BAD_REQUEST, "amount");
  bad(R"({"op":"upsert_customer","customer":"C","credit_limit":-1})", ErrorCode::BAD_REQUEST,
      "credit_limit");
  bad(R"({"op":"submit_order","customer":"C","lines":[{"sku":"S","qty":1,"unit_price":9.99}]})",
      ErrorCode::BAD_REQUEST, "lines[0].unit_price");
  bad(R"({"op":"submit_order","customer":"C","lines":[{"sku":"S","qty":1,"unit_price":-1}]})",
      ErrorCode::BAD_REQUEST, "lines[0].unit_price");
  record("amounts that are fractional, exponents, strings, beyond int64, zero or negative");
}

TEST_F(ParseTest, QuantitiesArePositiveUpToOneBillion) {
  const char* qtys[] = {"0", "-1", "1000000001", "1.0", "2.5", "\"3\"", "1e2"};
  for (const char* q : qtys) {
    std::string line =
        std::string(R"({"op":"submit_order","customer":"C","lines":[{"sku":"A","qty":1},)") +
        R"({"sku":"B","qty":1},{"sku":"S","qty":)" + q + "}]}";
    bad(line, ErrorCode::BAD_REQUEST, "lines[2].qty");
  }
  bad(R"({"op":"receive_stock","sku":"S","qty":0})", ErrorCode::BAD_REQUEST, "qty");
  bad(R"({"op":"ship","order_no":1,"lines":[{"sku":"S","qty":-2}]})", ErrorCode::BAD_REQUEST,
      "lines[0].qty");
  bad(R"({"op":"adjust_stock","sku":"S","on_hand":-1})", ErrorCode::BAD_REQUEST, "on_hand");
  record("quantities that are 0, negative, above 1,000,000,000, fractional or strings");
}

TEST_F(ParseTest, Identifiers) {
  std::string k64(64, 'k');
  command<ReceiveStock>(R"({"op":"receive_stock","qty":1,"sku":")" + k64 + "\"}");
  bad(R"({"op":"receive_stock","qty":1,"sku":")" + k64 + "k\"}", ErrorCode::BAD_REQUEST, "sku");
  bad(R"({"op":"receive_stock","qty":1,"sku":""})", ErrorCode::BAD_REQUEST, "sku");
  bad(R"({"op":"receive_stock","qty":1,"sku":"A B"})", ErrorCode::BAD_REQUEST, "sku");
  bad(R"({"op":"receive_stock","qty":1,"sku":"A\tB"})", ErrorCode::BAD_REQUEST, "sku");
  bad(R"({"op":"receive_stock","qty":1,"sku":"\u00e9"})", ErrorCode::BAD_REQUEST, "sku");
  bad(R"({"op":"get_customer","customer":" C"})", ErrorCode::BAD_REQUEST, "customer");
  bad(R"({"op":"submit_order","customer":"C","client_order_id":"P O","lines":[{"sku":"S","qty":1}]})",
      ErrorCode::BAD_REQUEST, "client_order_id");
  bad(R"({"op":"record_payment","customer":"C","amount":1,"payment_ref":""})",
      ErrorCode::BAD_REQUEST, "payment_ref");
  record("ids that are empty, 65 bytes, or hold spaces, tabs or non-ASCII");
}

TEST_F(ParseTest, TextIsBounded) {
  std::string t1024(1024, 'n');
  command<UpsertCustomer>(R"({"op":"upsert_customer","customer":"C","name":")" + t1024 + "\"}");
  bad(R"({"op":"upsert_customer","customer":"C","name":")" + t1024 + "n\"}", ErrorCode::BAD_REQUEST,
      "name");
  record("a 1,025-byte name (limit 1,024)");
}

TEST_F(ParseTest, UnknownAndDuplicateFields) {
  bad(R"({"op":"submit_order","customer":"C","lines":[{"sku":"S","qty":1}],"color":"red"})",
      ErrorCode::BAD_REQUEST, "color");
  bad(R"({"op":"submit_order","customer":"C","lines":[{"sku":"S","qty":1,"colour":1}]})",
      ErrorCode::BAD_REQUEST, "lines[0].colour");
  bad(R"({"op":"submit_order","customer":"C","customer":"D","lines":[{"sku":"S","qty":1}]})",
      ErrorCode::BAD_REQUEST, "customer");
  bad(R"({"op":"submit_order","customer":"C","lines":[{"sku":"S","qty":1,"qty":2}]})",
      ErrorCode::BAD_REQUEST, "lines[0].qty");
  bad(R"({"op":"get_product","sku":"S","price":1})", ErrorCode::BAD_REQUEST, "price");
  bad(R"({"op":"get_product","sku":"S","op":"x"})", ErrorCode::BAD_REQUEST, "op");
  bad(R"({"op":"ping","a_very_long_field_name_that_no_op_has_at_all":1})", ErrorCode::BAD_REQUEST,
      "");
  record("unknown members, duplicate members, a second op");
}

TEST_F(ParseTest, MissingRequiredFields) {
  bad(R"({"op":"hello"})", ErrorCode::BAD_REQUEST, "key");
  bad(R"({"op":"submit_order","lines":[{"sku":"S","qty":1}]})", ErrorCode::BAD_REQUEST, "customer");
  bad(R"({"op":"submit_order","customer":"C"})", ErrorCode::BAD_REQUEST, "lines");
  bad(R"({"op":"submit_order","customer":"C","lines":[{"qty":1}]})", ErrorCode::BAD_REQUEST,
      "lines[0].sku");
  bad(R"({"op":"submit_order","customer":"C","lines":[{"sku":"S"}]})", ErrorCode::BAD_REQUEST,
      "lines[0].qty");
  bad(R"({"op":"submit_order","customer":"C","lines":[]})", ErrorCode::BAD_REQUEST, "lines");
  bad(R"({"op":"submit_orders","orders":[{"customer":"C","lines":[{"sku":"S","qty":1}]},{"customer":"C"}]})",
      ErrorCode::BAD_REQUEST, "orders[1].lines");
  bad(R"({"op":"submit_orders","orders":[{"customer":"C","lines":[{"sku":"S","qty":1},{"sku":"S","qty":0}]}]})",
      ErrorCode::BAD_REQUEST, "orders[0].lines[1].qty");
  bad(R"({"op":"record_payment","customer":"C","amount":1})", ErrorCode::BAD_REQUEST,
      "payment_ref");
  bad(R"({"op":"set_customer_status","customer":"C","reason":"r"})", ErrorCode::BAD_REQUEST,
      "status");
  bad(R"({"op":"reject_order","order_no":1})", ErrorCode::BAD_REQUEST, "reason");
  bad(R"({"op":"write_off","reason":"r"})", ErrorCode::BAD_REQUEST, "invoice_no");
  bad(R"({"op":"statement","customer":"C","from":"2026-01-01"})", ErrorCode::BAD_REQUEST, "to");
  bad(R"({"op":"set_clock"})", ErrorCode::BAD_REQUEST, "now");
  bad(R"({"op":"get_order"})", ErrorCode::BAD_REQUEST, "order_no");
  bad(R"({"op":"get_order","customer":"C"})", ErrorCode::BAD_REQUEST, "client_order_id");
  bad(R"({"op":"get_order","order_no":1,"customer":"C"})", ErrorCode::BAD_REQUEST, "order_no");
  bad(R"({"op":"ship","order_no":0})", ErrorCode::BAD_REQUEST, "order_no");
  record("each required member missing, per op");
}

TEST_F(ParseTest, SizeLimits) {
  std::string lines;
  for (int i = 0; i < 1000; i++) lines += std::string(i ? "," : "") + R"({"sku":"S","qty":1})";
  auto o = command<SubmitOrder>(R"({"op":"submit_order","customer":"C","lines":[)" + lines + "]}");
  EXPECT_EQ(o.order.lines.size(), 1000u);
  bad(R"({"op":"submit_order","customer":"C","lines":[)" + lines + R"(,{"sku":"S","qty":1}]})",
      ErrorCode::BAD_REQUEST, "lines");
  std::string orders;
  const std::string one = R"({"customer":"C","lines":[{"sku":"S","qty":1}]})";
  for (int i = 0; i < 10000; i++) orders += (i ? "," : "") + one;
  EXPECT_EQ(
      command<SubmitOrders>(R"({"op":"submit_orders","orders":[)" + orders + "]}").orders.size(),
      10000u);
  bad(R"({"op":"submit_orders","orders":[)" + orders + "," + one + "]}", ErrorCode::BAD_REQUEST,
      "orders");
  bad(R"({"op":"list_held","limit":0})", ErrorCode::BAD_REQUEST, "limit");
  bad(R"({"op":"list_held","limit":10001})", ErrorCode::BAD_REQUEST, "limit");
  bad(R"({"op":"upsert_customer","customer":"C","terms_days":3651})", ErrorCode::BAD_REQUEST,
      "terms_days");
  record("1,001 order lines, 10,001 orders in a batch, list limits and terms out of range");
}

TEST_F(ParseTest, DatesMustBeRealDates) {
  const char* dates[] = {"2026-02-29", "2026-13-01", "2026-00-10",
                         "2026-04-31", "26-01-01",   "2026/01/01",
                         "2026-1-1",   "",           "2026-01-01T00:00:00Z"};
  for (const char* d : dates)
    bad(std::string(R"({"op":"daily_report","date":")") + d + "\"}", ErrorCode::BAD_REQUEST,
        "date");
  bad(R"({"op":"daily_report","date":20260101})", ErrorCode::BAD_REQUEST, "date");
  bad(R"({"op":"statement","customer":"C","from":"2026-03-01","to":"2026-02-01"})",
      ErrorCode::BAD_REQUEST, "to");
  bad(R"({"op":"submit_order","customer":"C","ship_by":"2026-02-30","lines":[{"sku":"S","qty":1}]})",
      ErrorCode::BAD_REQUEST, "ship_by");
  bad(R"({"op":"set_clock","now":"yesterday"})", ErrorCode::BAD_REQUEST, "now");
  record("impossible or malformed dates (2026-02-29, month 13, 2026/01/01, ...)");
}

TEST_F(ParseTest, Enums) {
  bad(R"({"op":"upsert_customer","customer":"C","grade":"E"})", ErrorCode::BAD_REQUEST, "grade");
  bad(R"({"op":"upsert_customer","customer":"C","grade":"a"})", ErrorCode::BAD_REQUEST, "grade");
  bad(R"({"op":"upsert_customer","customer":"C","status":"gone"})", ErrorCode::BAD_REQUEST,
      "status");
  bad(R"({"op":"submit_order","customer":"C","payment":"cash","lines":[{"sku":"S","qty":1}]})",
      ErrorCode::BAD_REQUEST, "payment");
  bad(R"({"op":"list_held","reason":"SOMETHING"})", ErrorCode::BAD_REQUEST, "reason");
  bad(R"({"op":"set_policy","discount_max_bp":[0,1,2]})", ErrorCode::BAD_REQUEST,
      "discount_max_bp");
  bad(R"({"op":"set_policy","discount_max_bp":[0,1,2,10001]})", ErrorCode::BAD_REQUEST,
      "discount_max_bp[3]");
  record("enum values that do not exist (grade E, status gone, payment cash, ...)");
}

TEST_F(ParseTest, EscapedKeysAreUnescaped) {
  auto c = command<ReceiveStock>(R"({"\u006fp":"receive_stock","s\u006bu":"S","qty":2})");
  EXPECT_EQ(c.sku.view(), "S");
}

TEST_F(ParseTest, DeeplyNestedJunkIsRefusedWithoutCrashing) {
  std::string deep = R"({"op":"ping","x":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
  Parse r = parse_line(parser_, deep);
  EXPECT_FALSE(r.ok);
  std::string deep_first =
      R"({"x":)" + std::string(5000, '[') + std::string(5000, ']') + R"(,"op":"ping"})";
  EXPECT_FALSE(parse_line(parser_, deep_first).ok);
  if (!HasFailure()) {
    test::record_fault("Request parser", "5,000 nested arrays inside a request",
                       "refused without crashing (" + std::string(to_string(r.err.code)) + " '" +
                           r.err.message + "')");
  }
}

TEST_F(ParseTest, LongKeysBeforeOpDoNotOverrunTheParser) {
  // Keys are unescaped in both passes; a huge key must not be read twice.
  std::string big(1 << 20, 'k');
  Parse r = parse_line(parser_, "{\"" + big + "\":1,\"op\":\"ping\"}");
  EXPECT_EQ(r.err.code, ErrorCode::BAD_REQUEST);
  std::string keys;
  for (int i = 0; i < 5000; i++) keys += "\"k" + std::to_string(i) + "\":1,";
  r = parse_line(parser_, "{" + keys + "\"op\":\"ping\"}");
  EXPECT_EQ(r.err.code, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.err.field, "k0");
  if (!HasFailure()) {
    test::record_fault("Request parser", "a 1 MiB member name, and 5,000 members, before the op",
                       "BAD_REQUEST naming the first unknown member; nothing read twice");
  }
}

TEST_F(ParseTest, EveryDeclaredOpIsFoundByItsName) {
  // engine/ops.h is the only list of ops: each name in it reaches its own body (or asks for its
  // first required field), never UNKNOWN_OP, and the fields are matched by name, in any order.
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const std::string line = R"({"op":")" + std::string(kOps[i].name) + R"("})";
    Parse r = parse_line(parser_, line);
    EXPECT_NE(r.err.code, ErrorCode::UNKNOWN_OP) << line;
    EXPECT_EQ(r.req.op_id, i) << line;
    if (!r.ok) {
      EXPECT_EQ(r.err.code, ErrorCode::BAD_REQUEST) << line << " " << r.err.message;
    }
  }
  const auto a = command<RecordPayment>(
      R"({"op":"record_payment","payment_ref":"P1","amount":5,"customer":"C1"})");
  const auto b = command<RecordPayment>(
      R"({"customer":"C1","amount":5,"payment_ref":"P1","op":"record_payment"})");
  EXPECT_EQ(a.customer.view(), "C1");
  EXPECT_EQ(a.amount, 5);
  EXPECT_EQ(a.payment_ref.view(), "P1");
  EXPECT_EQ(b.customer.view(), "C1");
  EXPECT_EQ(b.amount, 5);
  EXPECT_EQ(b.payment_ref.view(), "P1");
}

}  // namespace
}  // namespace credo::net

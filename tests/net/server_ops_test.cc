// Every op of docs/protocol.md once, successfully, through a real server, plus authentication and
// authority (UNAUTHENTICATED, FORBIDDEN).
#include <gtest/gtest.h>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"

namespace credo::test {
namespace {

class ServerOps : public ::testing::Test {
 protected:
  ServerProcess server;
  // One connection per role, like separate departments would have.
  Client admin{server.port()}, rep{server.port()}, credit{server.port()}, warehouse{server.port()},
      finance{server.port()};

  void SetUp() override {
    ASSERT_TRUE(server.running());
    ASSERT_TRUE(admin.hello(kAdminKey));
    ASSERT_TRUE(rep.hello(kOrderKey));
    ASSERT_TRUE(credit.hello(kCreditKey));
    ASSERT_TRUE(warehouse.hello(kWarehouseKey));
    ASSERT_TRUE(finance.hello(kFinanceKey));
    // A small world: one product, one customer with credit.
    ASSERT_TRUE(
        Json(
            admin.call(
                R"({"op":"upsert_product","sku":"BOLT","name":"Bolt M8","price":1000,"floor_price":800,"on_hand":1000})"))
            .ok());
    ASSERT_TRUE(
        Json(
            credit.call(
                R"({"op":"upsert_customer","customer":"C1","name":"Acme","grade":"A","credit_limit":1000000,"terms_days":30})"))
            .ok());
  }
};

TEST_F(ServerOps, PingIsAllowedBeforeHelloButNothingElseIs) {
  Client c(server.port());
  Json ping(c.call(R"({"id":1,"op":"ping"})"));
  EXPECT_TRUE(ping.ok());
  EXPECT_EQ(ping.num("/id"), 1);
  Json get(c.call(R"({"id":"x","op":"get_customer","customer":"C1"})"));
  EXPECT_EQ(get.code(), "UNAUTHENTICATED");
  EXPECT_EQ(get.str("/id"), "x");
  Json stats(c.call(R"({"op":"stats"})"));
  EXPECT_EQ(stats.code(), "UNAUTHENTICATED");
}

TEST_F(ServerOps, HelloNamesThePrincipalItsRolesAndLevel) {
  Client c(server.port());
  Json h(c.call(R"({"id":9,"op":"hello","key":"k-credit"})"));
  ASSERT_TRUE(h.ok()) << h.text();
  EXPECT_EQ(h.str("/principal"), "credit");
  EXPECT_EQ(h.str("/roles/0"), "credit");
  EXPECT_EQ(h.num("/level"), 1);
  EXPECT_EQ(h.num("/protocol"), 1);
}

// whoami (the console's sign-in): hello's answer again for the connection's principal, and
// like every op but ping and hello it needs a hello first.
TEST_F(ServerOps, WhoamiAnswersTheConnectionsPrincipalAfterHello) {
  Client c(server.port());
  Json before(c.call(R"({"id":1,"op":"whoami"})"));
  EXPECT_EQ(before.code(), "UNAUTHENTICATED") << before.text();
  ASSERT_TRUE(c.hello("k-credit"));
  Json who(c.call(R"({"id":2,"op":"whoami"})"));
  ASSERT_TRUE(who.ok()) << who.text();
  EXPECT_EQ(who.num("/id"), 2);
  EXPECT_EQ(who.str("/principal"), "credit");
  EXPECT_EQ(who.str("/roles/0"), "credit");
  EXPECT_EQ(who.num("/level"), 1);
  EXPECT_EQ(who.num("/protocol"), 1);
}

TEST_F(ServerOps, ThreeFailedHellosCloseTheConnection) {
  Client c(server.port());
  for (int i = 0; i < 3; i++) {
    Json h(c.call(R"({"op":"hello","key":"wrong"})"));
    EXPECT_EQ(h.code(), "UNAUTHENTICATED") << h.text();
  }
  EXPECT_TRUE(c.closed_by_server());
  // Two failures and a success are fine.
  Client d(server.port());
  EXPECT_FALSE(d.hello("wrong"));
  EXPECT_FALSE(d.hello("wrong"));
  EXPECT_TRUE(d.hello(kOrderKey));
}

TEST_F(ServerOps, OpsOutsideThePrincipalsRolesAreForbidden) {
  EXPECT_EQ(Json(rep.call(R"({"op":"upsert_customer","customer":"C2"})")).code(), "FORBIDDEN");
  EXPECT_EQ(Json(rep.call(R"({"op":"receive_stock","sku":"BOLT","qty":5})")).code(), "FORBIDDEN");
  EXPECT_EQ(Json(warehouse.call(
                     R"({"op":"record_payment","customer":"C1","amount":5,"payment_ref":"P"})"))
                .code(),
            "FORBIDDEN");
  EXPECT_EQ(Json(credit.call(R"({"op":"upsert_product","sku":"X","price":5})")).code(),
            "FORBIDDEN");
  EXPECT_EQ(Json(rep.call(R"({"op":"snapshot"})")).code(), "FORBIDDEN");
  EXPECT_EQ(Json(finance.call(R"({"op":"set_clock","now":"2026-02-01T00:00:00Z"})")).code(),
            "FORBIDDEN");
  // Every role may read.
  EXPECT_TRUE(Json(warehouse.call(R"({"op":"get_customer","customer":"C1"})")).ok());
  EXPECT_TRUE(Json(rep.call(R"({"op":"stats"})")).ok());
}

// The stall detector (issue 12): every step of the engine thread is counted in exactly one
// duration bucket; and the parser says which simdjson kernel it runs.
TEST_F(ServerOps, StatsShowTheEngineStepsAndTheParserKernel) {
  ASSERT_TRUE(Json(rep.call(R"({"op":"get_customer","customer":"C1"})")).ok());
  Json stats(rep.call(R"({"op":"stats"})"));
  ASSERT_TRUE(stats.ok()) << stats.text();
  const int64_t steps = stats.num("/engine_steps/count");
  EXPECT_GE(steps, 1) << stats.text();  // at least the read
  int64_t bucketed = 0;
  for (int b = 0; b <= 21; ++b)  // 2^0 .. 2^20 us and the longer ones
    bucketed += stats.num(("/engine_steps/buckets_us/" + std::to_string(b)).c_str());
  EXPECT_EQ(bucketed, steps) << stats.text();
  EXPECT_GE(stats.num("/engine_steps/sum_us"), 0) << stats.text();
  EXPECT_GT(stats.num("/engine_steps/max_us"), -1) << stats.text();
  EXPECT_FALSE(stats.str("/engine_steps/max_op").empty()) << stats.text();
  const std::string kernel = stats.str("/parser_kernel");
  EXPECT_TRUE(kernel == "haswell" || kernel == "fallback") << stats.text();
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
      __builtin_cpu_supports("pclmul")) {
    EXPECT_EQ(kernel, "haswell") << "an AVX2 CPU parses with the portable kernel";
  }
#endif
}

TEST_F(ServerOps, EveryOpOnce) {
  // Master data.
  Json cust(credit.call(R"({"id":1,"op":"get_customer","customer":"C1"})"));
  ASSERT_TRUE(cust.ok()) << cust.text();
  EXPECT_EQ(cust.num("/credit_limit"), 1000000);
  EXPECT_EQ(cust.str("/grade"), "A");
  Json sc(credit.call(
      R"({"op":"set_credit","customer":"C1","credit_limit":2000000,"reason":"review"})"));
  ASSERT_TRUE(sc.ok()) << sc.text();
  EXPECT_EQ(sc.num("/credit_limit"), 2000000);
  Json st(credit.call(
      R"({"op":"set_customer_status","customer":"C1","status":"active","reason":"ok"})"));
  ASSERT_TRUE(st.ok()) << st.text();
  Json rs(warehouse.call(R"({"op":"receive_stock","sku":"BOLT","qty":100})"));
  ASSERT_TRUE(rs.ok()) << rs.text();
  EXPECT_EQ(rs.num("/on_hand"), 1100);
  Json as(warehouse.call(R"({"op":"adjust_stock","sku":"BOLT","on_hand":1000})"));
  ASSERT_TRUE(as.ok()) << as.text();
  EXPECT_EQ(as.num("/on_hand"), 1000);
  Json gp(rep.call(R"({"op":"get_product","sku":"BOLT"})"));
  ASSERT_TRUE(gp.ok()) << gp.text();
  EXPECT_EQ(gp.num("/price"), 1000);
  EXPECT_EQ(gp.num("/available"), 1000);

  // Orders.
  Json q(rep.call(R"({"op":"quote","customer":"C1","lines":[{"sku":"BOLT","qty":10}]})"));
  ASSERT_TRUE(q.ok()) << q.text();
  EXPECT_EQ(q.str("/status"), "accepted");
  EXPECT_FALSE(q.has("/order_no"));
  Json o1(rep.call(
      R"({"id":7,"op":"submit_order","client_order_id":"PO-1","customer":"C1","ship_by":"2026-02-01","ref":"web","lines":[{"sku":"BOLT","qty":10}]})"));
  ASSERT_TRUE(o1.ok()) << o1.text();
  EXPECT_EQ(o1.num("/id"), 7);
  EXPECT_EQ(o1.str("/status"), "accepted");
  EXPECT_EQ(o1.num("/total"), 10000);
  EXPECT_EQ(o1.str("/at"), "2026-01-01T00:00:00.000Z");
  int64_t order1 = o1.num("/order_no");
  ASSERT_GT(order1, 0);
  Json dup(rep.call(
      R"({"op":"submit_order","client_order_id":"PO-1","customer":"C1","lines":[{"sku":"BOLT","qty":10}]})"));
  EXPECT_TRUE(dup.ok());
  EXPECT_EQ(dup.num("/order_no"), order1);
  EXPECT_TRUE(dup.has("/duplicate"));
  Json batch(rep.call(
      R"({"op":"submit_orders","orders":[{"customer":"C1","lines":[{"sku":"BOLT","qty":1}]},{"customer":"C1","lines":[{"sku":"NOPE","qty":1}]}]})"));
  ASSERT_TRUE(batch.ok()) << batch.text();
  ASSERT_EQ(batch.size("/results"), 2u);
  EXPECT_EQ(batch.str("/results/0/status"), "accepted");
  EXPECT_EQ(batch.str("/results/1/status"), "rejected");
  EXPECT_EQ(batch.str("/results/1/reasons/0/code"), "UNKNOWN_SKU");
  int64_t order_batch = batch.num("/results/0/order_no");
  Json go(rep.call(R"({"op":"get_order","order_no":)" + std::to_string(order1) + "}"));
  ASSERT_TRUE(go.ok()) << go.text();
  EXPECT_EQ(go.str("/events/0/event"), "submitted");
  EXPECT_EQ(go.str("/events/0/by"), "rep");
  Json go2(rep.call(R"({"op":"get_order","customer":"C1","client_order_id":"PO-1"})"));
  EXPECT_EQ(go2.num("/order_no"), order1);
  Json cancel(rep.call(R"({"op":"cancel_order","order_no":)" + std::to_string(order_batch) +
                       R"(,"reason":"changed mind"})"));
  ASSERT_TRUE(cancel.ok()) << cancel.text();
  EXPECT_EQ(cancel.str("/status"), "cancelled");

  // Holds: over the credit limit (2,000,000) by a manager-approvable amount.
  Json held(admin.call(
      R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":230,"unit_price":9000}]})"));
  ASSERT_TRUE(held.ok()) << held.text();
  EXPECT_EQ(held.num("/reasons/0/required_level"), 1);  // less than 20 % over: level 1
  EXPECT_EQ(held.str("/status"), "held");
  EXPECT_EQ(held.str("/reasons/0/code"), "CREDIT_LIMIT");
  Json list(credit.call(R"({"op":"list_held","customer":"C1"})"));
  ASSERT_TRUE(list.ok()) << list.text();
  EXPECT_EQ(list.size("/orders"), 1u);
  Json release(credit.call(R"({"op":"release_order","order_no":)" +
                           std::to_string(held.num("/order_no")) + R"(,"note":"one-off"})"));
  ASSERT_TRUE(release.ok()) << release.text();
  EXPECT_EQ(release.str("/status"), "accepted");
  Json held2(admin.call(
      R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":100,"unit_price":9000}]})"));
  EXPECT_EQ(held2.str("/status"), "held");
  Json reject(credit.call(R"({"op":"reject_order","order_no":)" +
                          std::to_string(held2.num("/order_no")) + R"(,"reason":"no"})"));
  ASSERT_TRUE(reject.ok()) << reject.text();
  EXPECT_EQ(reject.str("/status"), "rejected");

  // Fulfilment and money.
  Json ship(warehouse.call(R"({"op":"ship","order_no":)" + std::to_string(order1) + "}"));
  ASSERT_TRUE(ship.ok()) << ship.text();
  EXPECT_EQ(ship.num("/amount"), 10000);
  EXPECT_EQ(ship.str("/due_date"), "2026-01-31");
  int64_t invoice1 = ship.num("/invoice_no");
  Json pay(finance.call(
      R"({"op":"record_payment","customer":"C1","amount":4000,"payment_ref":"PAY-1"})"));
  ASSERT_TRUE(pay.ok()) << pay.text();
  EXPECT_EQ(pay.num("/applied/0/invoice_no"), invoice1);
  EXPECT_EQ(pay.num("/applied/0/amount"), 4000);
  Json ret(admin.call(R"({"op":"return_goods","order_no":)" + std::to_string(order1) +
                      R"(,"lines":[{"sku":"BOLT","qty":1}],"restock":true,"reason":"damaged"})"));
  ASSERT_TRUE(ret.ok()) << ret.text();
  EXPECT_EQ(ret.num("/amount"), 1000);
  // Write-offs take two finance principals (server_writeoff_test.cc walks the whole flow).
  Json wo(admin.call(R"({"op":"propose_write_off","invoice_no":)" + std::to_string(invoice1) +
                     R"(,"reason_code":"bankrupt","reason":"bankrupt"})"));
  ASSERT_TRUE(wo.ok()) << wo.text();
  Json woa(finance.call(R"({"op":"approve_write_off","write_off_no":)" +
                        std::to_string(wo.num("/write_off_no")) + "}"));
  ASSERT_TRUE(woa.ok()) << woa.text();
  EXPECT_EQ(woa.num("/amount"), 5000);

  // Reports.
  Json aging(finance.call(R"({"op":"aging","customer":"C1"})"));
  ASSERT_TRUE(aging.ok()) << aging.text();
  Json totals(finance.call(R"({"op":"aging"})"));
  ASSERT_TRUE(totals.ok()) << totals.text();
  EXPECT_TRUE(totals.has("/totals"));
  Json stmt(
      finance.call(R"({"op":"statement","customer":"C1","from":"2026-01-01","to":"2026-01-31"})"));
  ASSERT_TRUE(stmt.ok()) << stmt.text();
  EXPECT_EQ(stmt.str("/entries/0/type"), "invoice");
  Json daily(rep.call(R"({"op":"daily_report","date":"2026-01-01"})"));
  ASSERT_TRUE(daily.ok()) << daily.text();
  EXPECT_GE(daily.num("/orders/accepted/count"), 1);
  Json stats(rep.call(R"({"op":"stats"})"));
  ASSERT_TRUE(stats.ok()) << stats.text();
  EXPECT_GT(stats.num("/commands_applied"), 10);
  EXPECT_EQ(stats.num("/last_durable_seq"), stats.num("/last_journaled_seq"));
  EXPECT_GE(stats.num("/ops/submit_order/count"), 1);

  // Admin: the clock moves forward and runs what time triggers; no snapshot without --data.
  Json clock(admin.call(R"({"op":"set_clock","now":"2026-03-01T00:00:00Z"})"));
  ASSERT_TRUE(clock.ok()) << clock.text();
  EXPECT_EQ(clock.str("/now"), "2026-03-01T00:00:00.000Z");
  Json after(rep.call(R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":1}]})"));
  EXPECT_EQ(after.str("/at"), "2026-03-01T00:00:00.000Z");
  Json snap(admin.call(R"({"op":"snapshot"})"));
  EXPECT_EQ(snap.code(), "INVALID_STATE") << snap.text();
}

TEST_F(ServerOps, AnyPrincipalPagesThroughCustomersAndProducts) {
  for (const char* id : {"C2", "C3"})
    ASSERT_TRUE(Json(credit.call(std::string(R"({"op":"upsert_customer","customer":")") + id +
                                 R"(","grade":"B"})"))
                    .ok());
  Json first(warehouse.call(R"({"id":1,"op":"list_customers","limit":2})"));
  ASSERT_TRUE(first.ok()) << first.text();
  EXPECT_EQ(first.size("/customers"), 2u);
  EXPECT_EQ(first.str("/customers/0/customer"), "C1");
  EXPECT_EQ(first.num("/customers/0/credit_limit"), 1000000);
  EXPECT_EQ(first.num("/customers/0/available"), 1000000);
  const std::string cursor = first.str("/next_cursor");
  ASSERT_FALSE(cursor.empty()) << first.text();
  Json second(warehouse.call(R"({"op":"list_customers","limit":2,"cursor":")" + cursor + R"("})"));
  ASSERT_TRUE(second.ok()) << second.text();
  EXPECT_EQ(second.size("/customers"), 1u);
  EXPECT_EQ(second.str("/customers/0/customer"), "C3");
  EXPECT_TRUE(second.has("/next_cursor"));
  EXPECT_EQ(second.str("/next_cursor"), "");  // null: the end

  Json graded(rep.call(R"({"op":"list_customers","grade":"B","prefix":"C"})"));
  EXPECT_EQ(graded.size("/customers"), 2u) << graded.text();
  Json products(finance.call(R"({"op":"list_products","prefix":"BO"})"));
  ASSERT_TRUE(products.ok()) << products.text();
  EXPECT_EQ(products.str("/products/0/sku"), "BOLT");
  EXPECT_EQ(products.num("/products/0/on_hand"), 1000);
  Json bad(rep.call(R"({"op":"list_products","cursor":")" + cursor + R"("})"));
  EXPECT_EQ(bad.code(), "BAD_REQUEST") << bad.text();
  EXPECT_EQ(bad.field(), "cursor");
  Client stranger(server.port());
  EXPECT_EQ(Json(stranger.call(R"({"op":"list_customers"})")).code(), "UNAUTHENTICATED");
}

TEST_F(ServerOps, TickRunsTimeTriggeredWorkOnDemand) {
  Json t(admin.call(R"({"op":"tick"})"));
  EXPECT_TRUE(t.ok()) << t.text();
}

}  // namespace
}  // namespace credo::test

namespace credo::test {
namespace {

// Issue 13 over the wire: a credit reason approved by credit at its level (not by the
// submitter), then a blocked customer's shipment stopped and let through once.
TEST_F(ServerOps, ApproveOrderAndReleaseShipmentOverTheProtocol) {
  Json held(rep.call(
      R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":101,"unit_price":10000}]})"));
  ASSERT_EQ(held.str("/status"), "held") << held.text();
  EXPECT_EQ(held.str("/reasons/0/code"), "CREDIT_LIMIT");
  EXPECT_EQ(held.num("/reasons/0/required_level"), 1);  // 1 % over the limit
  const std::string no = std::to_string(held.num("/order_no"));
  Json own(rep.call(R"({"op":"approve_order","order_no":)" + no + "}"));
  EXPECT_EQ(own.code(), "FORBIDDEN") << own.text();
  Json ok(credit.call(R"({"op":"approve_order","order_no":)" + no +
                      R"(,"reasons":["CREDIT_LIMIT"],"note":"VP said yes"})"));
  ASSERT_TRUE(ok.ok()) << ok.text();
  EXPECT_EQ(ok.str("/status"), "accepted");
  EXPECT_EQ(ok.str("/approvals/0/code"), "CREDIT_LIMIT");
  EXPECT_EQ(ok.str("/approvals/0/by"), "credit");
  EXPECT_EQ(ok.num("/approvals/0/level"), 1);
  EXPECT_EQ(ok.size("/open_reasons"), 0u);

  ASSERT_TRUE(Json(credit.call(
                       R"({"op":"set_customer_status","customer":"C1","status":"blocked","reason":"x"})"))
                  .ok());
  Json stopped(warehouse.call(R"({"op":"ship","order_no":)" + no + "}"));
  EXPECT_EQ(stopped.code(), "INVALID_STATE") << stopped.text();
  EXPECT_EQ(stopped.str("/error/reason"), "CUSTOMER_BLOCKED");
  Json low(credit.call(R"({"op":"release_shipment","order_no":)" + no + "}"));
  EXPECT_EQ(low.code(), "FORBIDDEN") << low.text();  // level 1 < 2
  Json rel(admin.call(R"({"op":"release_shipment","order_no":)" + no + R"(,"note":"last one"})"));
  ASSERT_TRUE(rel.ok()) << rel.text();
  Json shipped(warehouse.call(R"({"op":"ship","order_no":)" + no + "}"));
  EXPECT_TRUE(shipped.ok()) << shipped.text();
}

}  // namespace
}  // namespace credo::test

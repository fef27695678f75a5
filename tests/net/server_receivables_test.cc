// Receivables over the protocol, against the real server: reverse_payment, refund, open_items,
// aging as_of / basis / due_within_days and the statement's new entry kinds and detail lines.
#include <gtest/gtest.h>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"

namespace credo::test {
namespace {

TEST(ServerReceivables, ReversalRefundOpenItemsAgingAndStatementEndToEnd) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  Client admin{server.port()}, rep{server.port()}, credit{server.port()},
      warehouse{server.port()}, finance{server.port()};
  ASSERT_TRUE(admin.hello(kAdminKey));
  ASSERT_TRUE(rep.hello(kOrderKey));
  ASSERT_TRUE(credit.hello(kCreditKey));
  ASSERT_TRUE(warehouse.hello(kWarehouseKey));
  ASSERT_TRUE(finance.hello(kFinance1Key));
  ASSERT_TRUE(Json(admin.call(
                       R"({"op":"upsert_product","sku":"BOLT","price":1000,"on_hand":100})"))
                  .ok());
  ASSERT_TRUE(Json(credit.call(
                       R"({"op":"upsert_customer","customer":"C1","grade":"A","credit_limit":1000000,"terms_days":30})"))
                  .ok());
  Json order(rep.call(R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":10}]})"));
  ASSERT_EQ(order.str("/status"), "accepted") << order.text();
  const int64_t order_no = order.num("/order_no");
  Json ship(warehouse.call(R"({"op":"ship","order_no":)" + std::to_string(order_no) + "}"));
  ASSERT_TRUE(ship.ok()) << ship.text();

  Json pay(finance.call(
      R"({"op":"record_payment","customer":"C1","amount":12000,"payment_ref":"CHQ-1"})"));
  ASSERT_TRUE(pay.ok()) << pay.text();
  EXPECT_EQ(pay.num("/unapplied"), 2000);
  ASSERT_TRUE(Json(finance.call(
                       R"({"op":"record_payment","customer":"C1","amount":500,"payment_ref":"CASH-2"})"))
                  .ok());

  Json refund(finance.call(
      R"({"op":"refund","customer":"C1","amount":500,"refund_ref":"RF-1","reason":"overpaid"})"));
  ASSERT_TRUE(refund.ok()) << refund.text();
  EXPECT_EQ(refund.num("/unapplied"), 2000);
  Json too_much(finance.call(
      R"({"op":"refund","customer":"C1","amount":5000,"refund_ref":"RF-2","reason":"x"})"));
  EXPECT_EQ(too_much.code(), "INVALID_STATE");
  EXPECT_EQ(too_much.field(), "amount");
  EXPECT_EQ(Json(rep.call(R"({"op":"refund","customer":"C1","amount":1,"refund_ref":"RF-3","reason":"x"})"))
                .code(),
            "FORBIDDEN");

  Json rev(finance.call(
      R"({"op":"reverse_payment","payment_ref":"CHQ-1","reason":"bounced","suspend":true})"));
  ASSERT_TRUE(rev.ok()) << rev.text();
  EXPECT_EQ(rev.num("/amount"), 12000);
  EXPECT_EQ(rev.num("/reopened/0/amount"), 10000);
  EXPECT_EQ(rev.num("/unapplied_taken"), 2000);
  EXPECT_EQ(rev.str("/status"), "on_hold");
  Json again(finance.call(
      R"({"op":"reverse_payment","payment_ref":"CHQ-1","reason":"other","suspend":true})"));
  EXPECT_EQ(again.code(), "INVALID_STATE");
  EXPECT_EQ(Json(finance.call(R"({"op":"reverse_payment","payment_ref":"NOPE","reason":"x"})"))
                .code(),
            "NOT_FOUND");

  Json items(rep.call(R"({"op":"open_items","customer":"C1","limit":10})"));
  ASSERT_TRUE(items.ok()) << items.text();
  EXPECT_EQ(items.size("/items"), 1u);
  EXPECT_EQ(items.num("/items/0/open"), 10000);
  EXPECT_EQ(items.num("/items/0/order_no"), order_no);
  EXPECT_EQ(items.str("/items/0/stage"), "current");
  EXPECT_TRUE(items.has("/next_cursor"));
  EXPECT_EQ(Json(rep.call(R"({"op":"open_items","cursor":"zz"})")).field(), "cursor");

  Json aging(rep.call(
      R"({"op":"aging","customer":"C1","basis":"invoice_date","due_within_days":30})"));
  ASSERT_TRUE(aging.ok()) << aging.text();
  EXPECT_EQ(aging.str("/basis"), "invoice_date");
  EXPECT_EQ(aging.num("/due_within"), 10000);
  EXPECT_EQ(aging.num("/total"), 10000);
  Json past(rep.call(R"({"op":"aging","as_of":"2000-01-01"})"));
  EXPECT_EQ(past.code(), "BAD_REQUEST");
  EXPECT_EQ(past.field(), "as_of");
  EXPECT_EQ(Json(rep.call(R"({"op":"aging","basis":"nope"})")).field(), "basis");

  Json st(rep.call(
      R"({"op":"statement","customer":"C1","from":"2000-01-01","to":"9999-12-31","detail":true})"));
  ASSERT_TRUE(st.ok()) << st.text();
  ASSERT_EQ(st.size("/entries"), 5u) << st.text();
  EXPECT_EQ(st.str("/entries/0/type"), "invoice");
  EXPECT_EQ(st.num("/entries/0/order_no"), order_no);
  EXPECT_EQ(st.str("/entries/0/lines/0/sku"), "BOLT");
  EXPECT_EQ(st.num("/entries/0/lines/0/qty"), 10);
  EXPECT_EQ(st.str("/entries/3/type"), "refund");
  EXPECT_EQ(st.str("/entries/3/ref"), "RF-1");
  EXPECT_EQ(st.str("/entries/4/type"), "reversal");
  EXPECT_EQ(st.num("/entries/4/amount"), 12000);
  EXPECT_EQ(st.num("/closing_balance"), 10000 - 12000 - 500 + 500 + 12000);
}

}  // namespace
}  // namespace credo::test

// amend_order and list_orders end to end: over TCP against the real credo-server, as a client
// would send them (docs/protocol.md "amend_order", "The order ledger").
#include <gtest/gtest.h>

#include <string>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"

namespace credo::test {
namespace {

class ServerOrderbook : public ::testing::Test {
 protected:
  ServerProcess server;
  Client admin{server.port()}, rep{server.port()}, credit{server.port()},
      warehouse{server.port()}, finance{server.port()};

  void SetUp() override {
    ASSERT_TRUE(server.running());
    ASSERT_TRUE(admin.hello(kAdminKey));
    ASSERT_TRUE(rep.hello(kOrderKey));
    ASSERT_TRUE(credit.hello(kCreditKey));
    ASSERT_TRUE(warehouse.hello(kWarehouseKey));
    ASSERT_TRUE(finance.hello(kFinanceKey));
    ASSERT_TRUE(Json(admin.call(
                         R"({"op":"upsert_product","sku":"BOLT","price":1000,"on_hand":100})"))
                    .ok());
    ASSERT_TRUE(Json(credit.call(
                         R"({"op":"upsert_customer","customer":"C1","grade":"A","credit_limit":1000000})"))
                    .ok());
  }
};

TEST_F(ServerOrderbook, AnOrderIsAmendedListedAndItsHistoryShown) {
  Json order(rep.call(
      R"({"op":"submit_order","customer":"C1","ship_by":"2000-01-03","lines":[{"sku":"BOLT","qty":10}]})"));
  ASSERT_TRUE(order.ok()) << order.text();
  const std::string no = std::to_string(order.num("/order_no"));

  const std::string amend = R"({"op":"amend_order","order_no":)" + no +
                            R"(,"amendment_id":"EDI-1","lines":[{"sku":"BOLT","qty":4}]})";
  Json a(rep.call(amend));
  ASSERT_TRUE(a.ok()) << a.text();
  EXPECT_NE(a.text().find(R"("amended":true)"), std::string::npos) << a.text();
  EXPECT_EQ(a.num("/version"), 2);
  EXPECT_EQ(a.str("/decision"), "accepted");
  EXPECT_EQ(a.num("/total"), 4000);
  EXPECT_EQ(a.num("/order/lines/0/qty"), 4);
  Json again(rep.call(amend));
  EXPECT_NE(again.text().find(R"("duplicate":true)"), std::string::npos) << again.text();

  Json refused(rep.call(R"({"op":"amend_order","order_no":)" + no +
                        R"(,"amendment_id":"EDI-2","lines":[{"sku":"BOLT","qty":500}]})"));
  ASSERT_TRUE(refused.ok()) << refused.text();
  EXPECT_NE(refused.text().find(R"("amended":false)"), std::string::npos) << refused.text();
  EXPECT_EQ(refused.str("/reasons/0/code"), "INSUFFICIENT_STOCK");

  Json forbidden(finance.call(R"({"op":"amend_order","order_no":)" + no +
                              R"(,"amendment_id":"EDI-3","ref":"x"})"));
  EXPECT_EQ(forbidden.code(), "FORBIDDEN") << forbidden.text();

  Json got(credit.call(R"({"op":"get_order","order_no":)" + no + "}"));
  ASSERT_TRUE(got.ok()) << got.text();
  EXPECT_EQ(got.num("/version"), 2);
  EXPECT_EQ(got.size("/amendments"), 2u);
  EXPECT_EQ(got.str("/amendments/0/amendment_id"), "EDI-1");
  EXPECT_EQ(got.num("/amendments/0/old_lines/0/qty"), 10);
  EXPECT_EQ(got.num("/amendments/1/new_lines/0/qty"), 500);

  // The server's clock is today, long after ship_by: the order is late until it ships.
  Json late(warehouse.call(R"({"op":"list_orders","customer":"C1","late":true})"));
  ASSERT_TRUE(late.ok()) << late.text();
  EXPECT_EQ(late.size("/orders"), 1u);
  EXPECT_EQ(late.str("/orders/0/ship_by"), "2000-01-03");
  EXPECT_EQ(late.num("/orders/0/unshipped_value"), 4000);
  EXPECT_EQ(late.str("/next_cursor"), "");

  ASSERT_TRUE(Json(warehouse.call(R"({"op":"ship","order_no":)" + no + "}")).ok());
  Json shipped(rep.call(R"({"op":"list_orders","status":"shipped,accepted","limit":1})"));
  ASSERT_TRUE(shipped.ok()) << shipped.text();
  EXPECT_EQ(shipped.str("/orders/0/status"), "shipped");
  EXPECT_EQ(shipped.num("/orders/0/shipped_value"), 4000);
  EXPECT_NE(shipped.text().find(R"("late":false)"), std::string::npos);
  Json bad(rep.call(R"({"op":"list_orders","status":"open"})"));
  EXPECT_EQ(bad.code(), "BAD_REQUEST");
  EXPECT_EQ(bad.field(), "status");

  Json closed(rep.call(R"({"op":"amend_order","order_no":)" + no +
                       R"(,"amendment_id":"EDI-4","ref":"late"})"));
  EXPECT_EQ(closed.code(), "INVALID_STATE") << closed.text();
}

}  // namespace
}  // namespace credo::test

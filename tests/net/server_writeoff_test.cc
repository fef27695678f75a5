// Write-offs, recoveries and returns end to end over the protocol, against the real server
// (docs/protocol.md "Write-offs and returns"): each step by the role and person the rules want.
#include <gtest/gtest.h>

#include <string>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"

namespace credo::test {
namespace {

class ServerWriteOffs : public ::testing::Test {
 protected:
  ServerProcess server;
  Client admin{server.port()}, rep{server.port()}, warehouse{server.port()},
      finance{server.port()}, finance1{server.port()};

  void SetUp() override {
    ASSERT_TRUE(server.running());
    ASSERT_TRUE(admin.hello(kAdminKey));
    ASSERT_TRUE(rep.hello(kOrderKey));
    ASSERT_TRUE(warehouse.hello(kWarehouseKey));
    ASSERT_TRUE(finance.hello(kFinanceKey));
    ASSERT_TRUE(finance1.hello(kFinance1Key));
    ASSERT_TRUE(Json(admin.call(R"({"op":"upsert_product","sku":"BOLT","price":1000,"on_hand":100})"))
                    .ok());
    ASSERT_TRUE(Json(admin.call(
                         R"({"op":"upsert_customer","customer":"C1","grade":"A","credit_limit":1000000})"))
                    .ok());
  }
  // Submits and ships `qty` bolts; returns the order number.
  int64_t shipped(int qty) {
    Json o(rep.call(R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":)" +
                    std::to_string(qty) + "}]}"));
    EXPECT_EQ(o.str("/status"), "accepted") << o.text();
    const std::string n = std::to_string(o.num("/order_no"));
    EXPECT_TRUE(Json(warehouse.call(R"({"op":"ship","order_no":)" + n + "}")).ok());
    return o.num("/order_no");
  }
};

TEST_F(ServerWriteOffs, AWriteOffIsProposedApprovedByAnotherAndRecovered) {
  shipped(5);
  Json single(finance.call(R"({"op":"write_off","invoice_no":1,"reason":"x"})"));
  EXPECT_EQ(single.code(), "FORBIDDEN") << single.text();

  Json young(finance1.call(
      R"({"op":"propose_write_off","invoice_no":1,"reason_code":"uncollectible","reason":"x"})"));
  EXPECT_EQ(young.code(), "INVALID_STATE") << young.text();
  EXPECT_EQ(young.str("/error/reason"), "not_past_due_enough");

  Json p(finance1.call(
      R"({"op":"propose_write_off","invoice_no":1,"reason_code":"bankrupt","reason":"court order"})"));
  ASSERT_TRUE(p.ok()) << p.text();
  EXPECT_EQ(p.str("/status"), "proposed");
  EXPECT_TRUE(p.has("/approved_by"));
  Json own(finance1.call(R"({"op":"approve_write_off","write_off_no":1})"));
  EXPECT_EQ(own.code(), "FORBIDDEN") << own.text();
  Json a(finance.call(R"({"op":"approve_write_off","write_off_no":1,"note":"ok"})"));
  ASSERT_TRUE(a.ok()) << a.text();
  EXPECT_EQ(a.str("/status"), "approved");
  EXPECT_EQ(a.num("/amount"), 5000);

  Json r(finance.call(
      R"({"op":"record_payment","customer":"C1","amount":2000,"payment_ref":"R-1","recovery_of":1})"));
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.num("/recovered/0/invoice_no"), 1);
  EXPECT_EQ(r.num("/recovered/0/amount"), 2000);
  EXPECT_EQ(r.num("/unapplied"), 0);

  Json list(rep.call(R"({"op":"list_write_offs","customer":"C1"})"));
  ASSERT_TRUE(list.ok()) << list.text();
  EXPECT_EQ(list.size("/write_offs"), 1u);
  EXPECT_EQ(list.str("/write_offs/0/reason_code"), "bankrupt");
  EXPECT_EQ(list.num("/write_offs/0/recovered"), 2000);
  EXPECT_TRUE(list.has("/next_cursor"));
}

TEST_F(ServerWriteOffs, AReturnIsRequestedApprovedAndReceived) {
  const std::string order = std::to_string(shipped(5));
  Json q(rep.call(R"({"op":"request_return","order_no":)" + order +
                  R"(,"lines":[{"sku":"BOLT","qty":3}],"reason":"wrong size"})"));
  ASSERT_TRUE(q.ok()) << q.text();
  EXPECT_EQ(q.str("/status"), "requested");
  Json not_yet(warehouse.call(
      R"({"op":"receive_return","return_no":1,"lines":[{"sku":"BOLT","qty":1,"qc":"pass"}]})"));
  EXPECT_EQ(not_yet.str("/error/reason"), "not_approved") << not_yet.text();
  Json a(admin.call(R"({"op":"approve_return","return_no":1})"));
  ASSERT_TRUE(a.ok()) << a.text();
  Json over(warehouse.call(
      R"({"op":"receive_return","return_no":1,"lines":[{"sku":"BOLT","qty":4,"qc":"pass"}]})"));
  EXPECT_EQ(over.code(), "BAD_REQUEST") << over.text();
  EXPECT_EQ(over.str("/error/field"), "lines[0].qty");
  Json got(warehouse.call(
      R"({"op":"receive_return","return_no":1,"lines":[{"sku":"BOLT","qty":2,"qc":"pass"},{"sku":"BOLT","qty":1,"qc":"fail"}]})"));
  ASSERT_TRUE(got.ok()) << got.text();
  EXPECT_EQ(got.str("/status"), "received");
  EXPECT_EQ(got.num("/credit/amount"), 3000);
  EXPECT_EQ(got.num("/lines/0/passed"), 2);
  Json product(rep.call(R"({"op":"get_product","sku":"BOLT"})"));
  EXPECT_EQ(product.num("/on_hand"), 97);  // 100 - 5 shipped + 2 passed QC
  Json view(rep.call(R"({"op":"get_return","return_no":1})"));
  ASSERT_TRUE(view.ok()) << view.text();
  EXPECT_EQ(view.num("/credit/credit_note_no"), 1);
}

}  // namespace
}  // namespace credo::test

// Contract prices end to end: upsert_price_agreement, an order priced by it, the refusals,
// end_price_agreement and list_price_agreements over TCP against the real credo-server
// (docs/protocol.md "Contract prices").
#include <gtest/gtest.h>

#include <string>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"

namespace credo::test {
namespace {

// The test keys plus a sales VP (order role, level 2): who may make price agreements.
constexpr const char* kKeysWithVp = R"({"keys":[
      {"key":"k-admin","principal":"admin","roles":["admin"],"level":3},
      {"key":"k-order","principal":"rep","roles":["order"],"level":0},
      {"key":"k-vp","principal":"sales-vp","roles":["order"],"level":2},
      {"key":"k-credit","principal":"credit","roles":["credit"],"level":1}]})";

class ServerPricing : public ::testing::Test {
 protected:
  ServerProcess server{{}, kKeysWithVp};
  Client admin{server.port()}, rep{server.port()}, vp{server.port()}, credit{server.port()};

  void SetUp() override {
    ASSERT_TRUE(server.running());
    ASSERT_TRUE(admin.hello(kAdminKey));
    ASSERT_TRUE(rep.hello(kOrderKey));
    ASSERT_TRUE(vp.hello("k-vp"));
    ASSERT_TRUE(credit.hello(kCreditKey));
    Json clock(admin.call(R"({"op":"set_clock","now":"2027-01-04T09:00:00.000Z"})"));
    ASSERT_TRUE(clock.ok()) << clock.text();
    ASSERT_TRUE(Json(admin.call(
                         R"({"op":"upsert_product","sku":"BOLT","price":1000,"floor_price":700,"on_hand":100})"))
                    .ok());
    ASSERT_TRUE(Json(credit.call(
                         R"({"op":"upsert_customer","customer":"C1","grade":"A","credit_limit":1000000})"))
                    .ok());
  }
};

TEST_F(ServerPricing, AnAgreementPricesOrdersUntilItIsEnded) {
  const std::string upsert =
      R"({"op":"upsert_price_agreement","agreement_ref":"AG-1","customer":"C1","sku":"BOLT","unit_price":800,"from":"2027-01-01","to":"2027-01-31"})";
  Json a(vp.call(upsert));
  ASSERT_TRUE(a.ok()) << a.text();
  EXPECT_EQ(a.str("/status"), "active");
  EXPECT_EQ(a.str("/from"), "2027-01-01");
  EXPECT_EQ(a.str("/made_by"), "sales-vp");
  Json again(vp.call(upsert));
  EXPECT_NE(again.text().find(R"("duplicate":true)"), std::string::npos) << again.text();

  // A rep (level 0) may not make one; below the floor is refused; overlapping days too.
  Json forbidden(rep.call(
      R"({"op":"upsert_price_agreement","agreement_ref":"AG-2","customer":"C1","sku":"BOLT","unit_price":800,"from":"2027-02-01","to":"2027-02-28"})"));
  EXPECT_EQ(forbidden.code(), "FORBIDDEN") << forbidden.text();
  Json floor(vp.call(
      R"({"op":"upsert_price_agreement","agreement_ref":"AG-2","customer":"C1","sku":"BOLT","unit_price":600,"from":"2027-02-01","to":"2027-02-28"})"));
  EXPECT_EQ(floor.code(), "BAD_REQUEST") << floor.text();
  EXPECT_EQ(floor.str("/error/field"), "unit_price");
  Json overlap(vp.call(
      R"({"op":"upsert_price_agreement","agreement_ref":"AG-2","customer":"C1","sku":"BOLT","unit_price":750,"from":"2027-01-20","to":"2027-02-28"})"));
  EXPECT_EQ(overlap.code(), "INVALID_STATE") << overlap.text();
  EXPECT_EQ(overlap.str("/error/reason"), "AGREEMENT_OVERLAPS");

  // A line without a price is priced at the agreement; at the agreement price, no approval.
  Json order(rep.call(
      R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":10},{"sku":"BOLT","qty":1,"unit_price":800},{"sku":"BOLT","qty":1,"unit_price":790}]})"));
  ASSERT_TRUE(order.ok()) << order.text();
  EXPECT_EQ(order.num("/lines/0/unit_price"), 800);
  EXPECT_EQ(order.str("/lines/0/price_source"), "agreement");
  EXPECT_EQ(order.str("/lines/1/price_source"), "agreement");
  EXPECT_EQ(order.str("/lines/2/price_source"), "requested");
  EXPECT_EQ(order.str("/status"), "held");  // only the line below the agreement
  EXPECT_EQ(order.size("/reasons"), 1u);
  EXPECT_EQ(order.str("/reasons/0/code"), "PRICE_APPROVAL");
  EXPECT_EQ(order.num("/reasons/0/line"), 2);
  Json got(rep.call(R"({"op":"get_order","order_no":)" + std::to_string(order.num("/order_no")) +
                    "}"));
  EXPECT_EQ(got.str("/lines/0/price_source"), "agreement");

  Json listed(rep.call(R"({"op":"list_price_agreements","customer":"C1","sku":"BOLT"})"));
  ASSERT_TRUE(listed.ok()) << listed.text();
  EXPECT_EQ(listed.size("/agreements"), 1u);
  EXPECT_EQ(listed.num("/agreements/0/unit_price"), 800);

  Json ended(vp.call(
      R"({"op":"end_price_agreement","agreement_ref":"AG-1","reason":"renegotiated"})"));
  ASSERT_TRUE(ended.ok()) << ended.text();
  EXPECT_EQ(ended.str("/status"), "ended");
  EXPECT_EQ(ended.str("/end_reason"), "renegotiated");
  Json twice(vp.call(R"({"op":"end_price_agreement","agreement_ref":"AG-1"})"));
  EXPECT_EQ(twice.code(), "INVALID_STATE") << twice.text();
  EXPECT_EQ(twice.str("/error/reason"), "AGREEMENT_ENDED");
  Json missing(vp.call(R"({"op":"end_price_agreement","agreement_ref":"NOPE"})"));
  EXPECT_EQ(missing.code(), "NOT_FOUND") << missing.text();

  Json list_price(rep.call(R"({"op":"quote","customer":"C1","lines":[{"sku":"BOLT","qty":1}]})"));
  ASSERT_TRUE(list_price.ok()) << list_price.text();
  EXPECT_EQ(list_price.num("/lines/0/unit_price"), 1000);
  EXPECT_EQ(list_price.str("/lines/0/price_source"), "list");
}

}  // namespace
}  // namespace credo::test

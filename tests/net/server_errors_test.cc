// Every error code of docs/protocol.md "Errors" through a real server; after each, the connection
// keeps serving.
#include <gtest/gtest.h>

#include <random>

#include "tests/common/fault_matrix.h"
#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"

namespace credo::test {
namespace {

class ServerErrors : public ::testing::Test {
 protected:
  ServerProcess server;
  Client admin{server.port()};

  void SetUp() override {
    ASSERT_TRUE(server.running());
    ASSERT_TRUE(admin.hello(kAdminKey));
    ASSERT_TRUE(
        Json(admin.call(R"({"op":"upsert_product","sku":"BOLT","price":1000,"on_hand":100})"))
            .ok());
    ASSERT_TRUE(
        Json(admin.call(
                 R"({"op":"upsert_customer","customer":"C1","grade":"A","credit_limit":1000000})"))
            .ok());
  }
  // Returns "CODE: message" as answered.
  std::string expect_error(const std::string& line, const char* code, const char* field = nullptr) {
    Json j(admin.call(line));
    EXPECT_EQ(j.code(), code) << line << " -> " << j.text();
    if (field != nullptr) {
      EXPECT_EQ(j.field(), field) << line << " -> " << j.text();
    }
    EXPECT_FALSE(j.ok());
    return j.code() + " '" + j.str("/error/message") + "'";
  }
  void record(std::string_view fault, const std::string& observed) {
    if (!HasFailure())
      record_fault("Server input", fault, observed + "; the connection keeps serving");
  }
};

TEST_F(ServerErrors, BadJson) {
  std::string a = expect_error("{not json", "BAD_JSON");
  expect_error("[1,2,3]", "BAD_JSON");
  expect_error(R"({"op":"ping"} trailing)", "BAD_JSON");
  EXPECT_TRUE(Json(admin.call(R"({"op":"ping"})")).ok());
  record("malformed JSON: unbalanced, an array, trailing text after the object",
         "BAD_JSON each (" + a + ")");
}

TEST_F(ServerErrors, BadRequest) {
  std::string frac =
      expect_error(R"({"op":"record_payment","customer":"C1","amount":10.5,"payment_ref":"P1"})",
                   "BAD_REQUEST", "amount");
  expect_error(R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":0}]})",
               "BAD_REQUEST", "lines[0].qty");
  expect_error(R"({"op":"get_customer","customer":")" + std::string(65, 'C') + R"("})",
               "BAD_REQUEST", "customer");
  expect_error(R"({"op":"get_customer","customer":"C1","colour":"red"})", "BAD_REQUEST", "colour");
  expect_error(R"({"op":"ping","id":[1]})", "BAD_REQUEST", "id");
  record("fractional amount, zero quantity, 65-byte id, unknown member, id of the wrong type",
         "BAD_REQUEST naming the field each (" + frac + ")");
}

TEST_F(ServerErrors, UnknownOp) {
  record("an op that does not exist", expect_error(R"({"op":"launch_rockets"})", "UNKNOWN_OP"));
}

TEST_F(ServerErrors, NotFound) {
  expect_error(R"({"op":"get_customer","customer":"NOBODY"})", "NOT_FOUND");
  expect_error(R"({"op":"get_product","sku":"NOTHING"})", "NOT_FOUND");
  expect_error(R"({"op":"get_order","order_no":999999})", "NOT_FOUND");
  record("unknown customer, product, order and invoice",
         "NOT_FOUND each (" +
             expect_error(R"({"op":"propose_write_off","invoice_no":424242,"reason_code":"bankrupt","reason":"x"})", "NOT_FOUND") +
             ")");
}

TEST_F(ServerErrors, InvalidState) {
  // Submitted by a rep: admin, who approves below, may not approve an order it submitted.
  Client rep{server.port()};
  ASSERT_TRUE(rep.hello(kOrderKey));
  Json o(rep.call(R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":1}]})"));
  ASSERT_TRUE(o.ok()) << o.text();
  std::string no = std::to_string(o.num("/order_no"));
  EXPECT_TRUE(Json(admin.call(R"({"op":"cancel_order","order_no":)" + no + "}")).ok());
  expect_error(R"({"op":"cancel_order","order_no":)" + no + "}", "INVALID_STATE");
  expect_error(R"({"op":"release_order","order_no":)" + no + "}", "INVALID_STATE");
  // The manual clock may not go backwards.
  EXPECT_TRUE(Json(admin.call(R"({"op":"set_clock","now":"2026-02-01T00:00:00Z"})")).ok());
  std::string back =
      expect_error(R"({"op":"set_clock","now":"2026-01-15T00:00:00Z"})", "INVALID_STATE");
  record("cancel or release a cancelled order; move the clock backwards",
         "INVALID_STATE each (" + back + ")");
}

TEST_F(ServerErrors, DuplicatePaymentRefWithADifferentAmount) {
  Json p(
      admin.call(R"({"op":"record_payment","customer":"C1","amount":500,"payment_ref":"PAY-9"})"));
  ASSERT_TRUE(p.ok()) << p.text();
  Json same(
      admin.call(R"({"op":"record_payment","customer":"C1","amount":500,"payment_ref":"PAY-9"})"));
  EXPECT_TRUE(same.ok()) << same.text();
  EXPECT_TRUE(same.has("/duplicate"));
  std::string dup = expect_error(
      R"({"op":"record_payment","customer":"C1","amount":700,"payment_ref":"PAY-9"})", "DUPLICATE");
  record("a payment_ref reused with a different amount",
         "same amount: ok with duplicate:true, applied once; different amount: " + dup);
}

TEST_F(ServerErrors, WriteOffNeedsLevelTwo) {
  Client f1(server.port());
  ASSERT_TRUE(f1.hello(kFinance1Key));
  Json j(f1.call(R"({"op":"write_off","invoice_no":1,"reason":"x"})"));
  EXPECT_EQ(j.code(), "FORBIDDEN") << j.text();
  record("a write-off by a level-1 finance principal (needs level 2)",
         j.code() + " '" + j.str("/error/message") + "'");
}

TEST_F(ServerErrors, MoreThanAThousandLinesIsBadRequest) {
  std::string line = R"({"op":"submit_order","customer":"C1","lines":[)";
  for (int i = 0; i < 1001; i++) line += std::string(i ? "," : "") + R"({"sku":"BOLT","qty":1})";
  line += "]}";
  expect_error(line, "BAD_REQUEST", "lines");
  Json p(admin.call(R"({"op":"get_product","sku":"BOLT"})"));
  EXPECT_EQ(p.num("/reserved"), 0) << "nothing of the refused order is applied";
  record("an order of 1,001 lines (limit 1,000)", "BAD_REQUEST on lines; nothing reserved");
}

TEST_F(ServerErrors, RandomBinaryBytesAreAnsweredAndChangeNothing) {
  std::mt19937 rng(42);
  std::string junk;
  int lines = 0;
  for (int i = 0; i < 20'000; i++) {
    char c = static_cast<char>(rng());
    if (c == '\n') lines++;
    junk.push_back(c);
  }
  junk.push_back('\n');
  lines++;
  Client c(server.port());
  ASSERT_TRUE(c.hello(kAdminKey));
  ASSERT_TRUE(c.send(junk));
  ASSERT_TRUE(c.send("{\"op\":\"ping\",\"id\":\"after\"}\n"));
  std::string answer;
  int answers = 0;
  while (c.read_line(&answer)) {
    Json j(answer);
    ASSERT_TRUE(j.valid()) << answer;
    if (j.str("/id") == "after") break;
    EXPECT_FALSE(j.ok()) << answer;
    answers++;
  }
  EXPECT_EQ(Json(answer).str("/id"), "after");
  EXPECT_LE(answers, lines);
  Json p(admin.call(R"({"op":"get_product","sku":"BOLT"})"));
  EXPECT_EQ(p.num("/on_hand"), 100);
  record("20,000 random bytes (seed 42) as request lines",
         "every line answered with an error in valid JSON, state unchanged");
}

}  // namespace
}  // namespace credo::test

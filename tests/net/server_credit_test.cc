// Credit data over the protocol against the real server (docs/protocol.md "Credit data"): a
// raise beyond the credit manager's authority is a proposal another principal approves; the
// history, the review dates and the review list come back over the wire.
#include <gtest/gtest.h>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"

namespace credo::test {
namespace {

TEST(ServerCredit, ProposalApprovalHistoryAndReviewsEndToEnd) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  Client admin{server.port()}, credit{server.port()};
  ASSERT_TRUE(admin.hello(kAdminKey));    // admin, level 3
  ASSERT_TRUE(credit.hello(kCreditKey));  // credit, level 1: limits up to 100,000.00
  ASSERT_TRUE(
      Json(credit.call(
               R"({"op":"upsert_customer","customer":"C1","grade":"A","credit_limit":1000000})"))
          .ok());

  Json proposed(credit.call(
      R"({"op":"set_credit","customer":"C1","credit_limit":20000000,"reason":"bank reference"})"));
  ASSERT_TRUE(proposed.ok()) << proposed.text();
  EXPECT_EQ(proposed.str("/status"), "proposed");
  EXPECT_EQ(proposed.num("/proposal_no"), 1);
  EXPECT_EQ(proposed.num("/credit_limit"), 20000000);
  EXPECT_EQ(proposed.num("/current_limit"), 1000000);
  EXPECT_EQ(proposed.num("/required_level"), 2);
  EXPECT_EQ(proposed.str("/proposed_by"), "credit");
  EXPECT_TRUE(proposed.has("/decided_by"));

  Json own(credit.call(R"({"op":"approve_credit","proposal_no":1})"));
  EXPECT_EQ(own.code(), "FORBIDDEN") << own.text();
  Json bad(admin.call(R"({"op":"approve_credit","proposal_no":0})"));
  EXPECT_EQ(bad.code(), "BAD_REQUEST") << bad.text();
  EXPECT_EQ(bad.str("/error/field"), "proposal_no");

  Json approved(admin.call(R"({"op":"approve_credit","proposal_no":1,"note":"fine"})"));
  ASSERT_TRUE(approved.ok()) << approved.text();
  EXPECT_EQ(approved.str("/status"), "approved");
  EXPECT_EQ(approved.str("/decision_note"), "fine");
  Json again(admin.call(R"({"op":"reject_credit","proposal_no":1,"reason":"late"})"));
  EXPECT_EQ(again.code(), "INVALID_STATE") << again.text();

  Json c(credit.call(R"({"op":"get_customer","customer":"C1"})"));
  EXPECT_EQ(c.num("/credit_limit"), 20000000);
  EXPECT_FALSE(c.str("/review_due").empty()) << c.text();

  Json h(credit.call(R"({"op":"get_credit_history","customer":"C1"})"));
  ASSERT_TRUE(h.ok()) << h.text();
  EXPECT_EQ(h.num("/total"), 3);
  EXPECT_EQ(h.str("/entries/0/kind"), "created");
  EXPECT_EQ(h.str("/entries/1/kind"), "proposed");
  EXPECT_EQ(h.str("/entries/2/kind"), "approved");
  EXPECT_EQ(h.str("/entries/2/by"), "admin");
  EXPECT_EQ(h.str("/entries/2/proposed_by"), "credit");
  EXPECT_EQ(h.num("/entries/2/credit_limit/from"), 1000000);
  EXPECT_EQ(h.num("/entries/2/credit_limit/to"), 20000000);
  EXPECT_EQ(h.str("/entries/2/reason"), "fine");

  Json r(credit.call(R"({"op":"review_customer","customer":"C1","grade":"B","reason":"q4"})"));
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.str("/grade"), "B");
  Json due(credit.call(R"({"op":"list_reviews_due","as_of":"9999-12-31","limit":5})"));
  ASSERT_TRUE(due.ok()) << due.text();
  EXPECT_EQ(due.str("/customers/0/customer"), "C1");
  EXPECT_EQ(due.str("/customers/0/review_due"), r.str("/review_due"));
  EXPECT_TRUE(due.has("/next_cursor"));
  Json bad_cursor(credit.call(R"({"op":"list_reviews_due","cursor":"zz"})"));
  EXPECT_EQ(bad_cursor.str("/error/field"), "cursor") << bad_cursor.text();
}

}  // namespace
}  // namespace credo::test

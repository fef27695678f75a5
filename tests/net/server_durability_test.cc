// With --data, every answered state change survives a crash (docs/protocol.md "Durability").
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"
#include "tests/common/temp_dir.h"

namespace credo::test {
namespace {

TEST(ServerDurability, AnsweredOrdersSurviveAKill) {
  TempDir dir("net-data");
  int64_t order_no = 0;
  {
    ServerProcess server({"--data", dir.path()});
    ASSERT_TRUE(server.running());
    Client admin(server.port());
    ASSERT_TRUE(admin.hello(kAdminKey));
    ASSERT_TRUE(
        Json(admin.call(R"({"op":"upsert_product","sku":"B","price":100,"on_hand":10})")).ok());
    ASSERT_TRUE(
        Json(admin.call(
                 R"({"op":"upsert_customer","customer":"C","grade":"A","credit_limit":100000})"))
            .ok());
    // Pipelined: every answer that arrives must survive.
    std::string batch;
    for (int i = 0; i < 200; i++)
      batch += R"({"op":"submit_order","customer":"C","lines":[{"sku":"B","qty":1}]})"
               "\n";
    ASSERT_TRUE(admin.send(batch));
    std::string answer;
    int accepted = 0;
    for (int i = 0; i < 200; i++) {
      ASSERT_TRUE(admin.read_line(&answer));
      Json j(answer);
      if (j.str("/status") == "accepted") {
        accepted++;
        order_no = j.num("/order_no");
      }
    }
    EXPECT_EQ(accepted, 10);
    server.kill_hard();
  }
  ServerProcess again({"--data", dir.path()});
  ASSERT_TRUE(again.running());
  Client c(again.port());
  ASSERT_TRUE(c.hello(kAdminKey));
  Json p(c.call(R"({"op":"get_product","sku":"B"})"));
  EXPECT_EQ(p.num("/reserved"), 10) << p.text();
  Json o(c.call(R"({"op":"get_order","order_no":)" + std::to_string(order_no) + "}"));
  EXPECT_EQ(o.str("/status"), "accepted") << o.text();
  // Numbering goes on where it stopped.
  Json next(c.call(R"({"op":"submit_order","customer":"C","lines":[{"sku":"B","qty":1}]})"));
  EXPECT_EQ(next.num("/order_no"), order_no + 191) << next.text();
}

TEST(ServerDurability, SnapshotOpWritesAFile) {
  TempDir dir("net-data");
  ServerProcess server({"--data", dir.path()});
  ASSERT_TRUE(server.running());
  Client admin(server.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  ASSERT_TRUE(Json(admin.call(R"({"op":"upsert_product","sku":"B","price":100})")).ok());
  Json s(admin.call(R"({"id":"s","op":"snapshot"})"));
  ASSERT_TRUE(s.ok()) << s.text();
  EXPECT_EQ(s.str("/id"), "s");
  EXPECT_EQ(s.num("/seq"), 2);  // the start's --order-retention-days (a set_policy), the product
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/" + s.str("/file"))) << s.text();
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace credo::test

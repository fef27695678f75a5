// Start-up: keys file checks, the policy config, refusing unsafe binds.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/common/fault_matrix.h"
#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/run_command.h"
#include "tests/common/server_process.h"

namespace credo::test {
namespace {

// Runs credo-server with `args` expecting it to refuse to start; returns its exit status and
// sets *said to the last line it wrote to stderr (the reason it gives).
int refused_start(const std::string& args, std::string* said = nullptr) {
  RunResult r =
      run_command(std::string(server_binary()) + " --port 0 " + args + " 2>&1 >/dev/null");
  std::string& out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  if (said != nullptr) *said = out.substr(out.rfind('\n') + 1);
  return r.exit_code;
}

TEST(ServerStartup, RefusesAKeyFileReadableByOthers) {
  std::string path = "/tmp/credo-net-test-keys-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream f(path);
    f << R"({"keys":[{"key":"k","principal":"p","roles":["admin"],"level":3}]})";
  }
  ::chmod(path.c_str(), 0644);
  std::string said;
  EXPECT_EQ(refused_start("--keys " + path, &said), 2);
  std::remove(path.c_str());
  if (!HasFailure()) {
    record_fault("Security", "keys file readable by group or others (mode 644)",
                 "refuses to start, exit 2: '" + scrub(said, path, "<file>") + "'");
  }
}

// Separation of duties (001b 2.2): one key may not hold order and credit, unless the policy
// file allows combined roles.
TEST(ServerStartup, RefusesAKeyWithOrderAndCreditUnlessThePolicyAllowsIt) {
  const std::string base = "/tmp/credo-net-test-combined-" + std::to_string(::getpid());
  const std::string keys = base + ".json", config = base + "-policy.json";
  {
    std::ofstream f(keys);
    f << R"({"keys":[{"key":"k1","principal":"a","roles":["admin"],"level":3},)"
         R"({"key":"k2","principal":"both","roles":["order","credit"],"level":1}]})";
  }
  ::chmod(keys.c_str(), 0600);
  std::string said;
  EXPECT_EQ(refused_start("--keys " + keys, &said), 2);
  EXPECT_NE(said.find("key #2 (principal \"both\")"), std::string::npos) << said;
  {
    std::ofstream f(config);
    f << R"({"allow_combined_roles": true})";
  }
  ServerProcess server({"--config", config}, R"({"keys":[{"key":"k1","principal":"a","roles":["admin"],"level":3},{"key":"k2","principal":"both","roles":["order","credit"],"level":1}]})");
  EXPECT_TRUE(server.running());
  std::remove(keys.c_str());
  std::remove(config.c_str());
}

TEST(ServerStartup, RefusesToListenBeyondLoopbackWithoutKeys) {
  std::string said;
  EXPECT_EQ(refused_start("--bind 0.0.0.0", &said), 2);
  if (!HasFailure()) {
    record_fault("Security", "binding beyond loopback (--bind 0.0.0.0) without a keys file",
                 "refuses to start, exit 2: '" + said + "'");
  }
}

TEST(ServerStartup, RefusesAConfigWithAnUnknownMember) {
  std::string path = "/tmp/credo-net-test-config-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream f(path);
    f << R"({"hold_ttl_hour":5})";
  }
  std::string said;
  EXPECT_EQ(refused_start("--config " + path, &said), 2);
  std::remove(path.c_str());
  if (!HasFailure()) {
    record_fault("Configuration", "a policy config with an unknown member",
                 "refuses to start, exit 2: '" + scrub(said, path, "<file>") + "'");
  }
}

TEST(ServerStartup, ConfigPolicyIsInForce) {
  std::string path = "/tmp/credo-net-test-config2-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream f(path);
    f << R"({"hold_ttl_hours":1,"approve_total_max_minor":[100,50000000,500000000,null]})";
  }
  ServerProcess server({"--config", path});
  std::remove(path.c_str());
  ASSERT_TRUE(server.running());
  Client admin(server.port()), rep(server.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  ASSERT_TRUE(rep.hello(kOrderKey));
  ASSERT_TRUE(
      Json(admin.call(R"({"op":"upsert_product","sku":"B","price":1000,"on_hand":10})")).ok());
  ASSERT_TRUE(
      Json(admin.call(
               R"({"op":"upsert_customer","customer":"C","grade":"A","credit_limit":100000})"))
          .ok());
  // A rep may approve only 1.00 now: a 10.00 order is held for AMOUNT_APPROVAL.
  Json o(rep.call(R"({"op":"submit_order","customer":"C","lines":[{"sku":"B","qty":1}]})"));
  ASSERT_EQ(o.str("/status"), "held") << o.text();
  EXPECT_EQ(o.str("/reasons/0/code"), "AMOUNT_APPROVAL");
  // And the hold expires after 1 hour instead of 72.
  Json t(admin.call(R"({"op":"set_clock","now":"2026-01-01T02:00:00Z"})"));
  EXPECT_EQ(t.num("/held_expired"), 1) << t.text();
}


// --order-retention-days is journaled at start as the policy's order_retention_days: a closed
// order is archived by the tick that set_clock journals once it is that many days old.
TEST(ServerStartup, OrderRetentionDaysArchivesClosedOrdersAtTheNextTick) {
  auto archived_after_two_days = [](const std::vector<std::string>& args) -> int64_t {
    ServerProcess server(args);
    if (!server.running()) return -1;
    Client admin(server.port());
    if (!admin.hello(kAdminKey)) return -1;
    EXPECT_TRUE(
        Json(admin.call(R"({"op":"upsert_product","sku":"B","price":1000,"on_hand":10})")).ok());
    EXPECT_TRUE(Json(admin.call(
                         R"({"op":"upsert_customer","customer":"C","grade":"A","credit_limit":100000})"))
                    .ok());
    Json o(admin.call(R"({"op":"submit_order","customer":"C","lines":[{"sku":"B","qty":1}]})"));
    EXPECT_EQ(o.str("/status"), "accepted") << o.text();
    const std::string no = std::to_string(o.num("/order_no"));
    EXPECT_TRUE(Json(admin.call(R"({"op":"cancel_order","order_no":)" + no + "}")).ok());
    Json t(admin.call(R"({"op":"set_clock","now":"2026-01-03T00:00:01Z"})"));
    Json g(admin.call(R"({"op":"get_order","order_no":)" + no + "}"));
    EXPECT_EQ(g.str("/status"), "cancelled") << g.text();
    EXPECT_EQ(g.has("/archived"), t.num("/orders_archived") == 1) << g.text();
    return t.num("/orders_archived");
  };
  EXPECT_EQ(archived_after_two_days({"--order-retention-days", "1"}), 1);
  EXPECT_EQ(archived_after_two_days({}), 0);  // the default, 90 days
  EXPECT_EQ(archived_after_two_days({"--order-retention-days", "0"}), 0);  // kept forever
  RunResult r = run_command(std::string(server_binary()) +
                            " --port 0 --order-retention-days 36501 2>&1 >/dev/null");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("--order-retention-days: Value 36501 not in range 0 to 36500"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace credo::test

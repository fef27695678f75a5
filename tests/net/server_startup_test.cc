// Start-up: keys file checks, the policy config, refusing unsafe binds.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/net/server_harness.h"

namespace credo::test {
namespace {

// Runs credo-server with `args` expecting it to refuse to start; returns its exit status.
int refused_start(const std::string& args) {
  std::string cmd = std::string(CREDO_SERVER_BIN) + " --port 0 " + args + " >/dev/null 2>&1";
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ServerStartup, RefusesAKeyFileReadableByOthers) {
  std::string path = "/tmp/credo-net-test-keys-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream f(path);
    f << R"({"keys":[{"key":"k","principal":"p","roles":["admin"],"level":3}]})";
  }
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(refused_start("--keys " + path), 2);
  std::remove(path.c_str());
}

TEST(ServerStartup, RefusesToListenBeyondLoopbackWithoutKeys) {
  EXPECT_EQ(refused_start("--bind 0.0.0.0"), 2);
}

TEST(ServerStartup, RefusesAConfigWithAnUnknownMember) {
  std::string path = "/tmp/credo-net-test-config-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream f(path);
    f << R"({"hold_ttl_hour":5})";
  }
  EXPECT_EQ(refused_start("--config " + path), 2);
  std::remove(path.c_str());
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

}  // namespace
}  // namespace credo::test

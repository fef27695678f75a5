// Smoke test: the real credo-loadgen against the real credo-server (manual clock, keys file,
// fsync journal in a temp directory): ~2 s of closed-loop load with --setup must decide orders,
// see no protocol errors, and write a --json report that parses; without --setup (no dataset)
// the run must not pass for a measurement.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/common/server_process.h"
#include "tests/common/temp_dir.h"

namespace {

using credo::test::ServerProcess;
using credo::test::TempDir;

constexpr const char* kSmokeKeysJson = R"({"keys":[
      {"key":"smoke-admin","principal":"smoke-admin","roles":["admin"],"level":3},
      {"key":"smoke-work","principal":"smoke-work","roles":["order","finance","warehouse"],"level":0}]})";

TEST(LoadgenSmoke, ClosedLoopWithSetupDecidesOrdersWithoutProtocolErrors) {
  TempDir tmp("loadgen-test");
  tmp.keep_if_test_fails();  // "see <dir>": its stdout.txt and stderr.txt
  const std::string& dir = tmp.path();
  {
    std::filesystem::create_directory(dir + "/data");
    ServerProcess server({"--data", dir + "/data", "--durability", "fsync"}, kSmokeKeysJson);
    ASSERT_GT(server.port(), 0) << "credo-server did not start";
    std::string json = dir + "/report.json";
    std::string cmd = std::string(CREDO_LOADGEN_BIN) + " --port " + std::to_string(server.port()) +
                      " --setup --admin-key smoke-admin --key smoke-work --duration 2"
                      " --connections 4 --pipeline 8 --customers 200 --products 200"
                      " --mix orders=85,quotes=5,payments=5,ships=5 --json " +
                      json + " > " + dir + "/stdout.txt 2> " + dir + "/stderr.txt";
    int rc = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(rc));
    EXPECT_EQ(WEXITSTATUS(rc), 0) << "see " << dir;

    simdjson::dom::parser parser;
    simdjson::dom::element report;
    ASSERT_EQ(parser.load(json).get(report), simdjson::SUCCESS) << "report does not parse";
    int64_t accepted = 0, protocol_errors = -1, errors = -1, orders = 0;
    ASSERT_EQ(report["accepted"].get(accepted), simdjson::SUCCESS);
    ASSERT_EQ(report["protocol_errors"].get(protocol_errors), simdjson::SUCCESS);
    ASSERT_EQ(report["errors"].get(errors), simdjson::SUCCESS);
    ASSERT_EQ(report["orders"].get(orders), simdjson::SUCCESS);
    EXPECT_GT(accepted, 0);
    EXPECT_EQ(protocol_errors, 0);
    EXPECT_EQ(errors, 0);
    int64_t held = 0, rejected = 0;
    ASSERT_EQ(report["held"].get(held), simdjson::SUCCESS);
    ASSERT_EQ(report["rejected"].get(rejected), simdjson::SUCCESS);
    EXPECT_EQ(accepted + held + rejected, orders);
    // The default shares (5% at the limit, 3% discounts, 2% stock-outs) show up as decisions.
    EXPECT_GT(held, 0);
    EXPECT_GT(rejected, 0);
    double p99 = 0;
    ASSERT_EQ(report["latency"]["p99_us"].get(p99), simdjson::SUCCESS);
    EXPECT_GT(p99, 0);
  }
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

TEST(LoadgenSmoke, WithoutSetupEveryOrderIsRefusedAndTheRunFailsSayingRunSetup) {
  TempDir tmp("loadgen-test");
  tmp.keep_if_test_fails();
  const std::string& dir = tmp.path();
  {
    std::filesystem::create_directory(dir + "/data");
    ServerProcess server({"--data", dir + "/data", "--durability", "fsync"}, kSmokeKeysJson);
    ASSERT_GT(server.port(), 0) << "credo-server did not start";
    std::string cmd = std::string(CREDO_LOADGEN_BIN) + " --port " + std::to_string(server.port()) +
                      " --key smoke-work --duration 0.5 --connections 2 --pipeline 4 > " + dir +
                      "/stdout.txt 2> " + dir + "/stderr.txt";
    int rc = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(rc));
    EXPECT_EQ(WEXITSTATUS(rc), 4) << "see " << dir;
    std::string err = read_file(dir + "/stderr.txt");
    EXPECT_NE(err.find("WARNING"), std::string::npos) << err;
    EXPECT_NE(err.find("run once with --setup"), std::string::npos) << err;
  }
}

// Open loop: the schedule is fixed (rate x duration requests, each due at its own time), so a
// run that is answered in full offers exactly that many, whether the loadgen sleeps between
// requests (epoll_pwait2 until the next one is due) or polls (--spin).
TEST(LoadgenSmoke, OpenLoopOffersExactlyRateTimesDurationSleepingOrSpinning) {
  TempDir tmp("loadgen-test");
  tmp.keep_if_test_fails();
  const std::string& dir = tmp.path();
  ServerProcess server({}, kSmokeKeysJson);
  ASSERT_GT(server.port(), 0) << "credo-server did not start";
  const std::string base = std::string(CREDO_LOADGEN_BIN) + " --port " +
                           std::to_string(server.port()) +
                           " --key smoke-work --customers 50 --products 50 --connections 4"
                           " --pipeline 64";
  int rc = std::system((base + " --setup --admin-key smoke-admin --duration 0.2 > " + dir +
                        "/setup.txt 2>&1").c_str());
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << read_file(dir + "/setup.txt");
  for (const char* mode : {"", " --spin"}) {
    SCOPED_TRACE(*mode ? "spinning" : "sleeping");
    const std::string json = dir + "/open.json";
    rc = std::system((base + mode + " --rate 400 --duration 1.5 --drain 20 --json " + json +
                      " > " + dir + "/stdout.txt 2> " + dir + "/stderr.txt").c_str());
    ASSERT_TRUE(WIFEXITED(rc));
    EXPECT_EQ(WEXITSTATUS(rc), 0) << read_file(dir + "/stderr.txt");
    simdjson::dom::parser parser;
    simdjson::dom::element report;
    ASSERT_EQ(parser.load(json).get(report), simdjson::SUCCESS) << "report does not parse";
    int64_t requests = 0, unanswered = -1, protocol_errors = -1;
    std::string_view mode_name;
    ASSERT_EQ(report["requests"].get(requests), simdjson::SUCCESS);
    ASSERT_EQ(report["unanswered"].get(unanswered), simdjson::SUCCESS);
    ASSERT_EQ(report["protocol_errors"].get(protocol_errors), simdjson::SUCCESS);
    ASSERT_EQ(report["mode"].get(mode_name), simdjson::SUCCESS);
    EXPECT_EQ(mode_name, "open");
    EXPECT_EQ(requests, 600);  // 400/s x 1.5 s
    EXPECT_EQ(unanswered, 0);
    EXPECT_EQ(protocol_errors, 0);
  }
}

}  // namespace

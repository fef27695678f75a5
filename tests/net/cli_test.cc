// credo-cli against a real server: one request, a pipelined file, exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/run_command.h"
#include "tests/common/server_process.h"

namespace credo::test {
namespace {

RunResult run_cli(uint16_t port, const std::string& args) {
  return run_command(std::string(CREDO_CLI_BIN) + " --port " + std::to_string(port) + " " + args +
                     " 2>/dev/null");
}

TEST(Cli, OneRequestPrintsTheAnswerAndExitsZeroWhenOk) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  RunResult r = run_cli(server.port(), "--key k-admin '{\"id\":3,\"op\":\"ping\"}'");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "{\"id\":3,\"ok\":true}\n");
  RunResult bad =
      run_cli(server.port(), "--key k-admin '{\"op\":\"get_customer\",\"customer\":\"NO\"}'");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("NOT_FOUND"), std::string::npos);
  RunResult refused = run_cli(server.port(), "--key wrong '{\"op\":\"ping\"}'");
  EXPECT_EQ(refused.exit_code, 1);
}

TEST(Cli, FileIsSentPipelinedAndEveryAnswerPrintedInOrder) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  std::string path = "/tmp/credo-cli-test-" + std::to_string(::getpid()) + ".ndjson";
  {
    std::ofstream f(path);
    f << R"({"op":"upsert_product","sku":"B","price":10,"on_hand":100000})"
      << "\n";
    f << R"({"op":"upsert_customer","customer":"C","grade":"A","credit_limit":100000000})"
      << "\n";
    for (int i = 0; i < 30'000; i++)
      f << R"({"id":)" << i
        << R"(,"op":"submit_order","customer":"C","lines":[{"sku":"B","qty":1}]})"
        << "\n";
  }
  RunResult r = run_cli(server.port(), "--key k-admin -f " + path);
  std::remove(path.c_str());
  EXPECT_EQ(r.exit_code, 0);
  std::size_t lines = 0, pos = 0;
  int expect_id = 0;
  while ((pos = r.out.find('\n', pos)) != std::string::npos) {
    lines++;
    pos++;
  }
  EXPECT_EQ(lines, 30'002u);
  // Spot-check order: the answers with ids appear in id order.
  std::size_t at = 0;
  for (; expect_id < 30'000; expect_id += 997) {
    std::string needle = "{\"id\":" + std::to_string(expect_id) + ",";
    std::size_t found = r.out.find(needle, at);
    ASSERT_NE(found, std::string::npos) << expect_id;
    at = found;
  }
}

// Runs `shell` (a command line that names the CLI through $CLI) and returns its exit code and
// stdout.
RunResult run_shell(const std::string& shell) {
  return run_command("CLI=" + std::string(CREDO_CLI_BIN) + "; " + shell);
}

TEST(Cli, WithoutAKeyItSaysHowToGiveOneAndExitsTwo) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  std::string port = std::to_string(server.port());
  RunResult r = run_shell("env -u CREDO_KEY $CLI --port " + port + " '{\"op\":\"ping\"}' 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("use --key or $CREDO_KEY"), std::string::npos) << r.out;
  RunResult with_env =
      run_shell("CREDO_KEY=k-admin $CLI --port " + port + " '{\"id\":1,\"op\":\"ping\"}'");
  EXPECT_EQ(with_env.exit_code, 0);
  EXPECT_EQ(with_env.out, "{\"id\":1,\"ok\":true}\n");
}

TEST(Cli, InteractiveHelpListsTheOpsInsteadOfSendingIt) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  RunResult r = run_shell("printf 'help\\n{\"id\":2,\"op\":\"ping\"}\\n' | $CLI --port " +
                       std::to_string(server.port()) + " --key k-admin");
  EXPECT_EQ(r.exit_code, 0) << r.out;  // help was not sent: the server would answer ok:false
  EXPECT_NE(r.out.find("submit_order"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("release_order"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("usage:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{\"id\":2,\"ok\":true}"), std::string::npos) << r.out;  // the next line
}

TEST(Cli, HelpListsTheOpsWithExamples) {
  RunResult r = run_shell("$CLI --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("list_held"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Examples"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace credo::test

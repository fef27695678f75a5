// Smoke test: the real credo-loadgen against the real credo-server (manual clock, keys file,
// fsync journal in a temp directory): ~2 s of closed-loop load with --setup must decide orders,
// see no protocol errors, and write a --json report that parses; without --setup (no dataset)
// the run must not pass for a measurement.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

class Server {
 public:
  explicit Server(const std::string& dir) {
    std::string keys = dir + "/keys.json";
    std::ofstream(keys) << R"({"keys":[
      {"key":"smoke-admin","principal":"smoke-admin","roles":["admin"],"level":3},
      {"key":"smoke-work","principal":"smoke-work","roles":["order","finance","warehouse"],"level":0}]})";
    ::chmod(keys.c_str(), 0600);
    std::filesystem::create_directory(dir + "/data");
    std::vector<std::string> args = {CREDO_SERVER_BIN, "--port",       "0",    "--clock",
                                     "manual",         "--keys",       keys,   "--data",
                                     dir + "/data",    "--durability", "fsync"};
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    const std::string marker = "listening on 127.0.0.1:";
    while (std::chrono::steady_clock::now() < deadline) {
      auto at = text.find(marker);
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        port_ = std::atoi(text.c_str() + at + marker.size());
        break;
      }
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
  }
  ~Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status;
      ::waitpid(pid_, &status, 0);
    }
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST(LoadgenSmoke, ClosedLoopWithSetupDecidesOrdersWithoutProtocolErrors) {
  char tmpl[] = "/tmp/credo-loadgen-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  {
    Server server(dir);
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
  std::filesystem::remove_all(dir);
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

TEST(LoadgenSmoke, WithoutSetupEveryOrderIsRefusedAndTheRunFailsSayingRunSetup) {
  char tmpl[] = "/tmp/credo-loadgen-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  {
    Server server(dir);
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
  std::filesystem::remove_all(dir);
}

}  // namespace

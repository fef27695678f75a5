// Transport behaviour (docs/protocol.md "Transport"): line limits, timeouts, flow control, ordering
// under pipelining, concurrency, and the bounds that keep one client from hurting others.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/fault_matrix.h"
#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"
#include "tests/common/temp_dir.h"

namespace credo::test {
namespace {

TEST(ServerTransport, LineTooLongClosesThatConnectionOnly) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  Client other(server.port());
  ASSERT_TRUE(other.hello(kAdminKey));
  Client big(server.port());
  ASSERT_TRUE(big.hello(kAdminKey));
  // 5 MiB inside a string: no newline, so the server must refuse it before it ends.
  std::string line = R"({"op":"upsert_product","sku":"HUGE","price":1,"name":")" +
                     std::string(5u << 20, 'x') + "\"}\n";
  std::thread writer([&] { big.send(line); });
  std::string answer;
  ASSERT_TRUE(big.read_line(&answer));
  EXPECT_EQ(Json(answer).code(), "LINE_TOO_LONG") << answer;
  EXPECT_TRUE(big.closed_by_server());
  writer.join();
  EXPECT_TRUE(Json(other.call(R"({"op":"ping"})")).ok());
  EXPECT_EQ(Json(other.call(R"({"op":"get_product","sku":"HUGE"})")).code(), "NOT_FOUND");
  if (!HasFailure()) {
    record_fault("Server input", "a 5 MiB request line (limit 4 MiB)",
                 "LINE_TOO_LONG '" + Json(answer).str("/error/message") +
                     "', that connection closed; others served; nothing applied");
  }
}

TEST(ServerTransport, AConnectionThatNeverSaysHelloIsClosed) {
  ServerProcess server({"--hello-timeout-ms", "300"});
  ASSERT_TRUE(server.running());
  Client silent(server.port());
  EXPECT_TRUE(silent.closed_by_server());
  Client pinger(server.port());
  EXPECT_TRUE(Json(pinger.call(R"({"op":"ping"})")).ok());
  EXPECT_TRUE(pinger.closed_by_server()) << "ping is not hello";
  Client good(server.port());
  ASSERT_TRUE(good.hello(kOrderKey));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_TRUE(Json(good.call(R"({"op":"ping"})")).ok()) << "after hello there is no idle limit";
  if (!HasFailure()) {
    record_fault(
        "Server resources", "a connection that never says hello",
        "closed after --hello-timeout-ms; a ping is not a hello; after hello no idle limit");
  }
}

TEST(ServerTransport, AClientThatNeverReadsDoesNotHurtOthers) {
  ServerProcess server({"--write-timeout-ms", "1000"});
  ASSERT_TRUE(server.running());
  Client setup(server.port());
  ASSERT_TRUE(setup.hello(kAdminKey));
  ASSERT_TRUE(
      Json(setup.call(R"({"op":"upsert_product","sku":"BOLT","price":1000,"on_hand":5})")).ok());

  Client hog(server.port());
  ASSERT_TRUE(hog.hello(kAdminKey));
  // Send requests until the socket blocks (the server stopped reading us), without reading.
  int fd = hog.fd();
  timeval tv{0, 200'000};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string chunk;
  for (int i = 0; i < 1000; i++)
    chunk += R"({"op":"get_product","sku":"BOLT"})"
             "\n";
  std::size_t sent = 0;
  while (sent < (512u << 20)) {
    ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  EXPECT_LT(sent, 512u << 20) << "the server kept reading a client that never reads";

  // Others are served promptly meanwhile.
  Client other(server.port());
  ASSERT_TRUE(other.hello(kOrderKey));
  for (int i = 0; i < 50; i++) ASSERT_TRUE(Json(other.call(R"({"op":"ping"})")).ok());
  // And the hog is eventually dropped (write stall timeout): wait for it, without a deadline
  // beyond the test's own, so a loaded machine only makes this slower, not flaky.
  int64_t connections = -1;
  for (int i = 0; i < 400 && connections != 2; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    connections = Json(other.call(R"({"op":"stats"})")).num("/connections");
  }
  EXPECT_EQ(connections, 2);  // setup + other
  if (!HasFailure()) {
    record_fault("Server resources", "a client that pipelines requests and never reads an answer",
                 "the server stops reading it (flow control), serves others promptly, and drops it "
                 "after --write-timeout-ms without progress");
  }
}

TEST(ServerTransport, RacingConnectionsNeverOversell) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  Client admin(server.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  ASSERT_TRUE(
      Json(admin.call(R"({"op":"upsert_product","sku":"LAST","price":100,"on_hand":50})")).ok());
  for (int c = 0; c < 8; c++)
    ASSERT_TRUE(Json(admin.call(R"({"op":"upsert_customer","customer":"R)" + std::to_string(c) +
                                R"(","grade":"A","credit_limit":100000000})"))
                    .ok());
  std::atomic<int64_t> accepted_qty{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> racers;
  for (int c = 0; c < 8; c++) {
    racers.emplace_back([&, c] {
      Client me(server.port());
      if (!me.hello(kOrderKey)) {
        failures++;
        return;
      }
      std::string batch;
      for (int i = 0; i < 20; i++)
        batch += R"({"op":"submit_order","customer":"R)" + std::to_string(c) +
                 R"(","lines":[{"sku":"LAST","qty":)" + std::to_string(1 + i % 3) + "}]}\n";
      me.send(batch);
      std::string answer;
      for (int i = 0; i < 20; i++) {
        if (!me.read_line(&answer)) {
          failures++;
          return;
        }
        Json j(answer);
        if (!j.ok()) failures++;
        if (j.str("/status") == "accepted") accepted_qty += j.num("/lines/0/qty");
      }
    });
  }
  for (auto& t : racers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(accepted_qty.load(), 50);
  EXPECT_GE(accepted_qty.load(), 48) << "stock left while orders of 1 unit were refused";
  Json p(admin.call(R"({"op":"get_product","sku":"LAST"})"));
  EXPECT_EQ(p.num("/reserved"), accepted_qty.load()) << p.text();
}

TEST(ServerTransport, DeepPipeliningGetsEveryAnswerInOrder) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  Client admin(server.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  ASSERT_TRUE(
      Json(admin.call(R"({"op":"upsert_product","sku":"BOLT","price":10,"on_hand":1000000})"))
          .ok());
  ASSERT_TRUE(
      Json(admin.call(
               R"({"op":"upsert_customer","customer":"C1","grade":"A","credit_limit":1000000000})"))
          .ok());
  constexpr int kPerConnection = 20'000;
  std::atomic<int> bad{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; c++) {
    clients.emplace_back([&, c] {
      Client me(server.port());
      if (!me.hello(kOrderKey)) {
        bad++;
        return;
      }
      std::string all;
      for (int i = 0; i < kPerConnection; i++) {
        // A mix of state changes, reads and errors, each carrying its position as its id.
        const char* body =
            i % 3 == 0   ? R"("op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":1}])"
            : i % 3 == 1 ? R"("op":"get_product","sku":"BOLT")"
                         : R"("op":"get_customer","customer":"NOBODY")";
        all += "{\"id\":" + std::to_string(c * 1'000'000 + i) + "," + body + "}\n";
      }
      // One write; read concurrently, as the protocol asks of pipelining clients.
      std::thread writer([&] { me.send(all); });
      std::string answer;
      for (int i = 0; i < kPerConnection; i++) {
        if (!me.read_line(&answer)) {
          bad++;
          break;
        }
        Json j(answer);
        if (j.num("/id") != c * 1'000'000 + i) {
          bad++;
          break;
        }
      }
      writer.join();
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(bad.load(), 0);
  Json p(admin.call(R"({"op":"get_product","sku":"BOLT"})"));
  EXPECT_EQ(p.num("/reserved"), 4 * ((kPerConnection + 2) / 3));
}

TEST(ServerTransport, ConnectionsBeyondTheLimitAreToldOverloaded) {
  ServerProcess server({"--max-connections", "2"});
  ASSERT_TRUE(server.running());
  Client a(server.port()), b(server.port());
  ASSERT_TRUE(a.hello(kOrderKey));
  ASSERT_TRUE(b.hello(kOrderKey));
  Client c(server.port());
  std::string answer;
  ASSERT_TRUE(c.read_line(&answer));
  EXPECT_EQ(Json(answer).code(), "OVERLOADED");
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_TRUE(Json(a.call(R"({"op":"ping"})")).ok());
  if (!HasFailure()) {
    record_fault("Server resources", "more connections than --max-connections",
                 "the extra one is answered OVERLOADED '" + Json(answer).str("/error/message") +
                     "' and closed; the others keep working");
  }
}

TEST(ServerTransport, AFullEngineQueueAnswersOverloadedInOrder) {
  ServerProcess server({"--max-queue", "1"});
  ASSERT_TRUE(server.running());
  Client c(server.port());
  ASSERT_TRUE(c.hello(kAdminKey));
  ASSERT_TRUE(Json(c.call(R"({"op":"upsert_product","sku":"B","price":1})")).ok());
  std::string all;
  for (int i = 0; i < 2000; i++)
    all += "{\"id\":" + std::to_string(i) +
           R"(,"op":"get_product","sku":"B"})"
           "\n";
  ASSERT_TRUE(c.send(all));
  std::string answer;
  for (int i = 0; i < 2000; i++) {
    ASSERT_TRUE(c.read_line(&answer));
    Json j(answer);
    EXPECT_EQ(j.num("/id"), i);
    EXPECT_TRUE(j.ok() || j.code() == "OVERLOADED") << answer;
  }
  EXPECT_TRUE(Json(c.call(R"({"op":"ping"})")).ok());
  if (!HasFailure()) {
    record_fault("Server resources", "2,000 pipelined requests against an engine queue of 1",
                 "each answered, in request order, either ok or OVERLOADED (never queued "
                 "without bound)");
  }
}

TEST(ServerTransport, EndOfInputStillGetsEveryAnswer) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  Client c(server.port());
  std::string all = "{\"op\":\"hello\",\"key\":\"k-admin\"}\n";
  for (int i = 0; i < 100; i++) all += "{\"op\":\"stats\",\"id\":" + std::to_string(i) + "}\n";
  all += R"({"op":"ping","id":"last-without-newline"})";
  ASSERT_TRUE(c.send(all));
  ::shutdown(c.fd(), SHUT_WR);
  std::string answer;
  int n = 0;
  while (c.read_line(&answer)) n++;
  EXPECT_EQ(n, 102);
  EXPECT_EQ(Json(answer).str("/id"), "last-without-newline");
}

// --io-spin-us: the I/O thread polls instead of sleeping; it must answer as usual (pipelined
// too) and still stop on SIGTERM (the poll loop ends when the I/O loop is stopped).
TEST(ServerTransport, BusyPollingIoThreadAnswersAndStopsCleanly) {
  ServerProcess server({"--io-spin-us", "200"});
  ASSERT_TRUE(server.running());
  Client c(server.port());
  ASSERT_TRUE(c.hello(kAdminKey));
  ASSERT_TRUE(Json(c.call(R"({"op":"upsert_product","sku":"B","price":10,"on_hand":100})")).ok());
  ASSERT_TRUE(
      Json(c.call(R"({"op":"upsert_customer","customer":"C","grade":"A","credit_limit":100000})"))
          .ok());
  std::string lines;
  for (int i = 0; i < 50; i++)
    lines += R"({"id":)" + std::to_string(i) +
             R"(,"op":"submit_order","customer":"C","lines":[{"sku":"B","qty":1}]})" + "\n";
  ASSERT_TRUE(c.send(lines));
  std::string answer;
  for (int i = 0; i < 50; i++) {
    ASSERT_TRUE(c.read_line(&answer)) << i;
    Json j(answer);
    EXPECT_EQ(j.num("/id"), i);
    EXPECT_EQ(j.str("/status"), "accepted") << answer;
  }
  EXPECT_EQ(Json(c.call(R"({"op":"get_product","sku":"B"})")).num("/reserved"), 50);
  EXPECT_EQ(server.stop(), 0);
  EXPECT_TRUE(c.closed_by_server());
}

// The nice value in a /proc stat file: field 19, counted after the parenthesized name (which
// may hold spaces).
int nice_in(const std::filesystem::path& stat_file) {
  std::string stat((std::istreambuf_iterator<char>(std::ifstream(stat_file).rdbuf())),
                   std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int i = 3; i < 19; ++i) rest >> field;  // state, ppid, ... priority
  int nice = 0;
  rest >> nice;
  return nice;
}

// The server's threads by name (/proc/PID/task/*/comm) with their nice values.
std::multimap<std::string, int> threads_and_nice(pid_t pid) {
  std::multimap<std::string, int> out;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& t : std::filesystem::directory_iterator(tasks)) {
    std::string comm;
    std::getline(std::ifstream(t.path() / "comm"), comm);
    out.emplace(comm, nice_in(t.path() / "stat"));
  }
  return out;
}

// Operators tell the threads apart in top -H and perf by name. The prefault thread runs at the
// lowest priority (nice 19): zeroing memory ahead of need is never urgent, and at the default
// priority it kept the I/O and engine threads waiting for milliseconds (issue 12).
TEST(ServerTransport, ThreadsAreNamedAndThePrefaultThreadYieldsToTheOthers) {
  TempDir data("threads");
  ServerProcess server({"--data", data.path(), "--durability", "fsync"});
  ASSERT_TRUE(server.running());
  // The startup line comes once the server listens; its threads start when it begins to serve.
  // An answered request means it has (and the prefault thread's priority is set before that).
  Client c(server.port());
  ASSERT_TRUE(c.hello(kOrderKey));
  const auto threads = threads_and_nice(server.pid());
  std::string names;
  for (const auto& [name, nice] : threads) names += name + "(" + std::to_string(nice) + ") ";
  ASSERT_EQ(threads.count("credo-prefault"), 1u) << names;
  EXPECT_EQ(threads.find("credo-prefault")->second, 19) << names;
  EXPECT_EQ(threads.count("credo-engine"), engine_inline_for_tests() ? 0u : 1u) << names;
  EXPECT_EQ(threads.count("credo-journal"), 1u) << names;
  EXPECT_EQ(threads.count("credo-snapshot"), 1u) << names;
  // Every other thread keeps the main thread's priority (the test may run under nice, so
  // compare with it, not with 0). The main thread is the I/O thread, named after the binary;
  // threads nobody names share that name (ThreadSanitizer's own thread, for one).
  EXPECT_GE(threads.count("credo-server"), 1u) << names;
  const std::string main_thread = "/proc/" + std::to_string(server.pid());
  const int process_nice = nice_in(std::filesystem::path(main_thread) / "stat");
  for (const auto& [name, nice] : threads) {
    if (name == "credo-prefault") continue;
    EXPECT_EQ(nice, process_nice) << name << " in " << names;
  }
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServerTransport, SigtermStopsCleanly) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  Client c(server.port());
  ASSERT_TRUE(c.hello(kOrderKey));
  EXPECT_EQ(server.stop(), 0);
  EXPECT_TRUE(c.closed_by_server());
}

}  // namespace
}  // namespace credo::test

// Heap allocations per request on the server's path (issue 12): a real net::Server in this
// process (both engine modes), fed pipelined submit_order lines over loopback by a client that
// allocates nothing while it is measured (pre-encoded lines, a fixed read buffer). Counted by
// replacing the global operator new (tests/common/alloc_counter.h), so every thread counts:
// the I/O thread (read, parse, format, write), the engine thread (apply, hand-offs) and the
// client.
//
// The issue's goal is none in steady state, and the server is there in both engine modes
// (0.04-0.07 per order: growth of the engine's tables, not the request path). With the engine
// thread, the hand-off of each batch to the I/O thread allocated too (the vector of answers and
// asio's handler for it) until the results stage reused both (net/result_stage.h). The test
// prints the count and fails when it rises above the bound below, so that a change that adds
// allocations to the hot path is seen, and a change that removes some lowers the bound.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "engine/engine.h"
#include "net/command_log.h"
#include "net/server.h"
#include "tests/common/alloc_counter.h"
#include "tests/common/line_client.h"

namespace credo {
namespace {

// Orders in each measured window and before it (warm-up: buffers, queues and tables reach
// their steady size).
constexpr int kOrders = 20'000;
constexpr int kCustomers = 100;
constexpr int kProducts = 50;
// Requests sent before reading answers: a pipelining client's depth.
constexpr int kWindow = 256;
// The bound: allocations per submit_order, every thread of the server together. Measured
// (2026-12-07, evening): 0.04-0.05 with the engine thread (0.14-0.26 before its hand-offs
// reused their vectors and handler memory), 0.06-0.07 inline; 2.1 in both before an
// order's lines (request and answer) kept up to 4 lines in place (LineRequests, LineViews),
// 7.1 before the parser's lists started with room for 4 items, the decision view reserved its
// lines and the slots became a ring. A per-order allocation added back (+1) crosses the bound
// in either mode; the bound leaves the rest (about 7x) to a loaded machine.
constexpr double kMaxPerOrderThread = 0.5;
constexpr double kMaxPerOrderInline = 0.5;

// Sends `lines` (one request per line, `count` of them) keeping at most kWindow unanswered,
// and reads every answer; counts the answers that start with {"ok":true. Allocates nothing.
int exchange(int fd, const std::string& lines, int count, int* ok_answers) {
  static char buf[1 << 16];
  char head[10];  // the first bytes of the answer being read (answers may span two reads)
  std::size_t head_len = 0;
  int sent = 0;
  int answered = 0;
  std::size_t pos = 0;  // of the next line to send
  while (answered < count) {
    // Send whole lines while the window allows.
    std::size_t end = pos;
    int n = 0;
    while (sent + n < count && sent + n - answered < kWindow) {
      end = lines.find('\n', end) + 1;
      n++;
    }
    while (pos < end) {
      ssize_t w = ::send(fd, lines.data() + pos, end - pos, MSG_NOSIGNAL);
      if (w <= 0) return -1;
      pos += static_cast<std::size_t>(w);
    }
    sent += n;
    ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r <= 0) return -1;
    for (ssize_t i = 0; i < r; i++) {
      if (buf[i] != '\n') {
        if (head_len < sizeof head) head[head_len] = buf[i];
        head_len++;
        continue;
      }
      if (ok_answers != nullptr && head_len >= sizeof head &&
          std::string_view(head, sizeof head) == R"({"ok":true)")
        (*ok_answers)++;
      head_len = 0;
      answered++;
    }
  }
  return answered;
}

std::string orders(int from, int to) {
  std::string s;
  for (int i = from; i < to; i++) {
    s += R"({"op":"submit_order","client_order_id":"A-)" + std::to_string(i) +
         R"(","customer":"C)" + std::to_string(i % kCustomers) + R"(","lines":[)";
    for (int l = 0; l < 3; l++) {
      if (l > 0) s += ',';
      s += R"({"sku":"S)" + std::to_string((i * 3 + l) % kProducts) + R"(","qty":1})";
    }
    s += "]}\n";
  }
  return s;
}

class ServerAllocTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    auto engine = std::make_unique<Engine>();
    engine->reserve(3 * kOrders + 1000);
    net::ServerOptions options;
    options.port = 0;
    options.handle_signals = false;
    options.clock_mode = net::Clock::Mode::manual;
    options.clock_start_ms = 1'795'428'000'000;
    options.engine_inline = GetParam();
    server_ = std::make_unique<net::Server>(options, std::move(engine),
                                            std::make_unique<net::MemoryLog>(), net::KeyStore{});
    std::string error;
    ASSERT_TRUE(server_->listen(&error)) << error;
    thread_ = std::thread([this] { server_->run(); });
    client_ = std::make_unique<test::Client>(server_->port(), 10'000);
    ASSERT_TRUE(client_->connected());
    fd_ = client_->fd();
    std::string setup;
    for (int i = 0; i < kCustomers; i++)
      setup += R"({"op":"upsert_customer","customer":"C)" + std::to_string(i) +
               R"(","grade":"A","credit_limit":1000000000000})" + "\n";
    for (int i = 0; i < kProducts; i++)
      setup += R"({"op":"upsert_product","sku":"S)" + std::to_string(i) +
               R"(","price":1000,"on_hand":1000000000})" + "\n";
    int ok = 0;
    ASSERT_EQ(exchange(fd_, setup, kCustomers + kProducts, &ok), kCustomers + kProducts);
    ASSERT_EQ(ok, kCustomers + kProducts);
  }
  void TearDown() override {
    client_.reset();
    if (server_) {
      server_->stop();
      thread_.join();
    }
  }

  // Allocations per order over `kOrders` orders numbered from `from`; every answer must be ok.
  double per_order(int from) {
    const std::string lines = orders(from, from + kOrders);
    int ok = 0;
    const uint64_t before = test::allocations();
    const int answered = exchange(fd_, lines, kOrders, &ok);
    const uint64_t after = test::allocations();
    EXPECT_EQ(answered, kOrders);
    EXPECT_EQ(ok, kOrders);
    return static_cast<double>(after - before) / kOrders;
  }

  std::unique_ptr<net::Server> server_;
  std::thread thread_;
  std::unique_ptr<test::Client> client_;
  int fd_ = -1;  // client_'s socket, read and written directly (test::Client's calls allocate)
};

// The counter sees allocations made on the server's threads (else the test could not fail):
// the setup's first requests grow buffers and tables.
TEST_P(ServerAllocTest, CounterSeesTheServersAllocations) {
  const uint64_t before = test::allocations();
  int ok = 0;
  ASSERT_EQ(exchange(fd_, R"({"op":"get_customer","customer":"C1"})" "\n", 1, &ok), 1);
  EXPECT_EQ(ok, 1);
  EXPECT_GT(test::allocations() - before, 0u);  // the answer's strings, at the least
}

TEST_P(ServerAllocTest, SubmitOrderAllocationsPerRequestStayUnderTheBound) {
  per_order(0);  // warm-up
  const double first = per_order(kOrders);
  const double second = per_order(2 * kOrders);
  const double measured = std::min(first, second);
  const double bound = GetParam() ? kMaxPerOrderInline : kMaxPerOrderThread;
  std::printf("allocations per 3-line submit_order (%s): %.2f, %.2f (bound %.1f)\n",
              GetParam() ? "engine inline" : "engine thread", first, second, bound);
  EXPECT_LE(measured, bound);
}

INSTANTIATE_TEST_SUITE_P(EngineModes, ServerAllocTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? std::string("Inline") : std::string("Thread");
                         });

}  // namespace
}  // namespace credo

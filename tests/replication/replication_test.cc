// The journal replicated on NATS JetStream (docs/replication.md), against real processes: a
// nats-server with JetStream started here (harness.h: free loopback port, temp dir, stopped by
// pid) and credo-server binaries as primary and standby.
#include <gtest/gtest.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/run_command.h"
#include "tests/common/server_process.h"
#include "tests/common/temp_dir.h"
#include "tests/replication/harness.h"

namespace credo::test {
namespace {

// One nats-server (R1): the behaviours that do not need a cluster. failover_test.cc runs the
// 3-node cluster.
std::vector<std::string> replica_args(const NatsCluster& nats, bool follow,
                                      const std::string& data = "") {
  return replica_args(nats, ReplicaOptions{follow, data, 1000});
}

TEST(Replication, StandbyConvergesToThePrimarysStateHash) {
  NatsCluster nats(1);
  TempDir a("repl-a"), b("repl-b");
  ServerProcess primary(replica_args(nats, false, a.path()));
  ASSERT_TRUE(primary.running());
  ServerProcess standby(replica_args(nats, true, b.path()));
  ASSERT_TRUE(standby.running());
  Client p(primary.port());
  ASSERT_TRUE(p.hello(kAdminKey));
  setup_world(p);
  // Pipelined orders: many per batch, several batches in flight.
  const int n = 2000;
  std::string burst;
  for (int i = 0; i < n; i++) burst += order("o" + std::to_string(i)) + "\n";
  ASSERT_TRUE(p.send(burst));
  std::string line;
  for (int i = 0; i < n; i++) {
    ASSERT_TRUE(p.read_line(&line));
    ASSERT_TRUE(Json(line).ok()) << line;
  }
  ASSERT_TRUE(Json(p.call(R"({"op":"set_clock","now":"2026-03-01T00:00:00Z"})")).ok());
  Hash ph = state_hash(p);
  EXPECT_EQ(ph.seq, 1 + n + 3);  // 1: the primary's start journaled --order-retention-days
  Client s(standby.port());
  ASSERT_TRUE(s.hello(kAdminKey));
  Hash sh = wait_for_seq(s, ph.seq);
  EXPECT_EQ(sh.seq, ph.seq);
  EXPECT_EQ(sh.hash, ph.hash);
  Json stats(s.call(R"({"op":"stats"})"));
  EXPECT_EQ(stats.str("/replication/role"), "standby") << stats.text();
  EXPECT_EQ(stats.num("/replication/applied_seq"), ph.seq) << stats.text();
  EXPECT_EQ(stats.num("/replication/lag_messages"), 0) << stats.text();
  Json pstats(p.call(R"({"op":"stats"})"));
  EXPECT_EQ(pstats.str("/replication/role"), "primary") << pstats.text();
  EXPECT_EQ(pstats.num("/replication/replicated_seq"), ph.seq) << pstats.text();

  // The standby restarted from its own data directory catches up from the stream.
  standby.stop();
  for (int i = 0; i < 10; i++) ASSERT_TRUE(Json(p.call(order("late" + std::to_string(i)))).ok());
  ph = state_hash(p);
  ServerProcess again(replica_args(nats, true, b.path()));
  ASSERT_TRUE(again.running());
  Client s2(again.port());
  ASSERT_TRUE(s2.hello(kAdminKey));
  sh = wait_for_seq(s2, ph.seq);
  EXPECT_EQ(sh.seq, ph.seq);
  EXPECT_EQ(sh.hash, ph.hash);
}

TEST(Replication, StandbyRefusesWritesWithNotPrimaryAndServesReads) {
  NatsCluster nats(1);
  ServerProcess primary(replica_args(nats, false));
  ASSERT_TRUE(primary.running());
  ServerProcess standby(replica_args(nats, true));
  ASSERT_TRUE(standby.running());
  Client p(primary.port());
  ASSERT_TRUE(p.hello(kAdminKey));
  setup_world(p);
  ASSERT_TRUE(Json(p.call(order("x1"))).ok());
  Client s(standby.port());
  ASSERT_TRUE(s.hello(kAdminKey));
  wait_for_seq(s, 3);
  Json refused(s.call(order("x2")));
  EXPECT_EQ(refused.code(), "NOT_PRIMARY") << refused.text();
  EXPECT_NE(refused.str("/error/message").find(":" + std::to_string(primary.port())),
            std::string::npos)
      << refused.text();
  EXPECT_EQ(Json(s.call(R"({"op":"set_clock","now":"2026-03-01T00:00:00Z"})")).code(),
            "NOT_PRIMARY");
  Json read(s.call(R"({"op":"get_product","sku":"B"})"));
  ASSERT_TRUE(read.ok()) << read.text();
  EXPECT_EQ(read.num("/as_of_seq"), 4) << read.text();  // with the start's set_policy
  // credo-cli given the standby first follows NOT_PRIMARY to the primary.
  RunResult cli = run_command(std::string(CREDO_CLI_BIN) + " --key k-admin --host 127.0.0.1:" +
                              std::to_string(standby.port()) + " --host 127.0.0.1:1 '" +
                              order("via-cli") + "' 2>&1");
  std::printf("credo-cli: %s\n", cli.out.c_str());
  EXPECT_EQ(cli.exit_code, 0) << cli.out;
  EXPECT_NE(cli.out.find("\"status\":\"accepted\""), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("is a standby"), std::string::npos) << cli.out;
  // The refused order was not applied anywhere (the CLI's was, on the primary).
  EXPECT_EQ(state_hash(p).seq, 5);
  EXPECT_EQ(wait_for_seq(s, 5).seq, 5);
  // The primary's own reads carry no as_of_seq.
  EXPECT_FALSE(Json(p.call(R"({"op":"get_product","sku":"B"})")).has("/as_of_seq"));
}

// Another writer appends to the stream behind the primary's back: the primary's next
// expected-last-sequence publish fails and it stops accepting changes at once.
TEST(Replication, PrimaryWhoseExpectedSequenceFailsStopsAcceptingChanges) {
  NatsCluster nats(1);
  ServerProcess primary(replica_args(nats, false));
  ASSERT_TRUE(primary.running());
  Client p(primary.port());
  ASSERT_TRUE(p.hello(kAdminKey));
  setup_world(p);
  {
    natsConnection* nc = nullptr;
    ASSERT_EQ(natsConnection_ConnectTo(&nc, nats.url(0).c_str()), NATS_OK);
    jsCtx* js = nullptr;
    ASSERT_EQ(natsConnection_JetStream(&js, nc, nullptr), NATS_OK);
    jsErrCode je = static_cast<jsErrCode>(0);
    jsPubAck* pa = nullptr;
    ASSERT_EQ(js_Publish(&pa, js, "credo.wal", "intruder", 8, nullptr, &je), NATS_OK);
    jsPubAck_Destroy(pa);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
  }
  Json first(p.call(order("f1")));
  EXPECT_FALSE(first.ok()) << first.text();
  Json second(p.call(order("f2")));
  EXPECT_FALSE(second.ok()) << second.text();
  EXPECT_NE(second.str("/error/message").find("fenced"), std::string::npos) << second.text();
  Json stats(p.call(R"({"op":"stats"})"));
  EXPECT_EQ(stats.str("/replication/role"), "fenced") << stats.text();
  // Reads go on.
  EXPECT_TRUE(Json(p.call(R"({"op":"get_product","sku":"B"})")).ok());
}

// The primary is killed with SIGKILL under pipelined load; the standby takes the lapsed lease,
// catches up and accepts changes; every order the old primary answered ok is on the new one.
TEST(Replication, StandbyTakesOverWhenThePrimaryDiesAndLosesNoAnsweredOrder) {
  const unsigned seed = 18;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  NatsCluster nats(1);
  TempDir a("repl-a"), b("repl-b");
  auto primary = std::make_unique<ServerProcess>(replica_args(nats, false, a.path()));
  ASSERT_TRUE(primary->running());
  ServerProcess standby(replica_args(nats, true, b.path()));
  ASSERT_TRUE(standby.running());
  {
    Client p(primary->port());
    ASSERT_TRUE(p.hello(kAdminKey));
    setup_world(p);
  }
  // A writer pipelines orders and remembers which were answered ok.
  std::vector<std::pair<std::string, int64_t>> answered;  // client_order_id, order_no
  std::thread writer([&] {
    Client p(primary->port(), 5'000);
    if (!p.hello(kOrderKey)) return;
    for (int round = 0;; round++) {
      std::vector<std::string> ids;
      std::string burst;
      for (int i = 0; i < 50; i++) {
        ids.push_back("w" + std::to_string(round) + "-" + std::to_string(i));
        burst += order(ids.back()) + "\n";
      }
      if (!p.send(burst)) return;
      std::string line;
      for (const std::string& id : ids) {
        if (!p.read_line(&line)) return;
        Json r(line);
        if (r.ok()) answered.emplace_back(id, r.num("/order_no"));
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 300));
  primary->kill_hard();
  writer.join();
  ASSERT_GT(answered.size(), 0u);

  // The standby becomes primary within the lease (1 s) plus catch-up.
  Client s(standby.port());
  ASSERT_TRUE(s.hello(kOrderKey));
  bool took_over = false;
  for (int i = 0; i < 1000 && !took_over; i++) {
    Json r(s.call(order("after-failover")));
    took_over = r.ok();
    if (!took_over) {
      EXPECT_EQ(r.code(), "NOT_PRIMARY") << r.text();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ASSERT_TRUE(took_over);
  // Every answered order is there: resubmitting it is a duplicate with the same number.
  std::string resubmits;
  for (const auto& answer : answered) resubmits += order(answer.first) + "\n";
  // Pipelined, sent by another thread so that neither side waits for the other's reads.
  std::thread sender([&] { EXPECT_TRUE(s.send(resubmits)); });
  for (const auto& [id, order_no] : answered) {
    std::string line;
    if (!s.read_line(&line)) line.clear();
    Json r(line);
    EXPECT_TRUE(r.ok()) << id << ": " << r.text();
    EXPECT_NE(r.text().find("\"duplicate\":true"), std::string::npos) << id << ": " << r.text();
    EXPECT_EQ(r.num("/order_no"), order_no) << id << ": " << r.text();
  }
  sender.join();
  std::printf("answered by the old primary: %zu\n", answered.size());

  // The old primary restarted as a standby of the new one converges to its state.
  primary.reset();
  Client admin(standby.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  Hash nh = state_hash(admin);
  TempDir c("repl-c");
  ServerProcess third(replica_args(nats, true, c.path()));
  ASSERT_TRUE(third.running());
  Client t(third.port());
  ASSERT_TRUE(t.hello(kAdminKey));
  Hash th = wait_for_seq(t, nh.seq);
  EXPECT_EQ(th.seq, nh.seq);
  EXPECT_EQ(th.hash, nh.hash);
}

// step_down: the primary hands over; the standby becomes primary and the old primary follows
// it as a standby.
TEST(Replication, StepDownHandsOverToTheStandby) {
  NatsCluster nats(1);
  TempDir a("repl-a"), b("repl-b");
  ServerProcess first(replica_args(nats, false, a.path()));
  ASSERT_TRUE(first.running());
  ServerProcess second(replica_args(nats, true, b.path()));
  ASSERT_TRUE(second.running());
  Client p(first.port());
  ASSERT_TRUE(p.hello(kAdminKey));
  setup_world(p);
  for (int i = 0; i < 20; i++) ASSERT_TRUE(Json(p.call(order("s" + std::to_string(i)))).ok());
  Client s(second.port());
  ASSERT_TRUE(s.hello(kAdminKey));
  EXPECT_EQ(Json(s.call(R"({"op":"step_down"})")).code(), "INVALID_STATE");
  Json down(p.call(R"({"op":"step_down"})"));
  ASSERT_TRUE(down.ok()) << down.text();
  EXPECT_NE(Json(p.call(order("refused"))).code(), "");
  bool took_over = false;
  for (int i = 0; i < 1000 && !took_over; i++) {
    took_over = Json(s.call(order("after"))).ok();
    if (!took_over) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(took_over);
  Hash nh = state_hash(s);
  Hash oh = wait_for_seq(p, nh.seq);  // the old primary has received the new one's message
  EXPECT_EQ(oh.seq, nh.seq);
  EXPECT_EQ(oh.hash, nh.hash);
  Json refused(p.call(order("to-old")));
  EXPECT_EQ(refused.code(), "NOT_PRIMARY") << refused.text();
  EXPECT_NE(refused.str("/error/message").find(":" + std::to_string(second.port())),
            std::string::npos)
      << refused.text();
}

}  // namespace
}  // namespace credo::test

// Failover and fencing on a 3-node NATS JetStream cluster (harness.h; stream replicas 3) with
// real credo-server processes (docs/replication.md "Tests"):
// - rounds of: the primary killed with SIGKILL under several pipelining connections (orders and
//   payments); the standby takes over; every answer the old primary gave ok is on the new one
//   (resubmitted: duplicate, same number and status); a fresh standby reaches the same state
//   hash at the same seq. Seeds printed (CREDO_REPL_SEED overrides the first);
// - fencing: the primary paused (SIGSTOP) past its lease; the standby takes over; the old
//   primary resumed (SIGCONT) answers no state change ok, demotes itself and converges.
#include <gtest/gtest.h>
#include <csignal>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"
#include "tests/common/temp_dir.h"
#include "tests/replication/harness.h"

namespace credo::test {
namespace {

using Clock = std::chrono::steady_clock;

int64_t ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

struct Replica {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<ServerProcess> server;
};

Replica start_replica(const NatsCluster& nats, bool follow, int lease_ms, const std::string& tag) {
  Replica r;
  r.dir = std::make_unique<TempDir>("repl-" + tag);
  r.server = std::make_unique<ServerProcess>(
      replica_args(nats, ReplicaOptions{follow, r.dir->path(), lease_ms}));
  return r;
}

// Sends `line` to the server on `port` until it answers ok (a standby answers NOT_PRIMARY
// until it takes over); false after `ms`.
bool until_ok(uint16_t port, const char* key, const std::string& line, int ms, std::string* last) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < deadline) {
    Client c(port, 5'000);
    if (c.connected() && c.hello(key)) {
      while (Clock::now() < deadline) {
        std::string answer = c.call(line);
        *last = answer;
        if (answer.empty()) break;  // the connection failed: reconnect
        if (Json(answer).ok()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Every answer `answered` holds is on the server on `port`: resubmitted (pipelined), each is
// ok, a duplicate, and (orders) carries the same order number and status.
void expect_all_present(uint16_t port, const std::vector<Load::Answered>& answered) {
  Client orders(port), payments(port);
  ASSERT_TRUE(orders.hello(kOrderKey));
  ASSERT_TRUE(payments.hello(kFinanceKey));
  for (bool pay : {false, true}) {
    Client& c = pay ? payments : orders;
    std::vector<const Load::Answered*> mine;
    std::string burst;
    for (const Load::Answered& a : answered) {
      if ((a.request.find("record_payment") != std::string::npos) != pay) continue;
      mine.push_back(&a);
      burst += a.request + "\n";
    }
    std::thread sender([&] { EXPECT_TRUE(c.send(burst)); });
    std::string line;
    for (const Load::Answered* a : mine) {
      if (!c.read_line(&line)) line.clear();
      Json r(line);
      EXPECT_TRUE(r.ok()) << a->id << ": " << line;
      EXPECT_NE(line.find("\"duplicate\":true"), std::string::npos) << a->id << ": " << line;
      if (!pay) {
        EXPECT_EQ(r.num("/order_no"), a->order_no) << a->id << ": " << line;
        EXPECT_EQ(r.str("/status"), a->status) << a->id << ": " << line;
      }
    }
    sender.join();
  }
}

// A primary and a standby on `nats` with the world set up on the primary (ASSERTs: call it
// under ASSERT_NO_FATAL_FAILURE).
void start_pair(const NatsCluster& nats, int lease_ms, const std::string& primary_tag,
                const std::string& standby_tag, Replica* primary, Replica* standby) {
  *primary = start_replica(nats, false, lease_ms, primary_tag);
  ASSERT_TRUE(primary->server->running());
  *standby = start_replica(nats, true, lease_ms, standby_tag);
  ASSERT_TRUE(standby->server->running());
  Client admin(primary->server->port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  setup_world(admin);
}

unsigned first_seed() {
  const char* env = std::getenv("CREDO_REPL_SEED");
  return env != nullptr ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : 1800U;
}

TEST(Failover, TenKillNineRoundsLoseNoAnsweredChangeAndReplicasAgree) {
  constexpr int kRounds = 10;
  constexpr int kLeaseMs = 1000;
  NatsCluster nats(3);
  Replica primary, standby;
  ASSERT_NO_FATAL_FAILURE(start_pair(nats, kLeaseMs, "p0", "s0", &primary, &standby));
  std::vector<int64_t> failover_ms;
  const unsigned seed0 = first_seed();
  for (int round = 0; round < kRounds; round++) {
    const unsigned seed = seed0 + static_cast<unsigned>(round);
    std::printf("failover round %d seed %u\n", round, seed);
    std::mt19937 rng(seed);
    const std::string tag = "r" + std::to_string(round) + "s" + std::to_string(seed);
    // Load on the primary, killed at a random instant.
    auto load = std::make_unique<Load>(primary.server->port(), tag, 2, true);
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 350));
    primary.server->kill_hard();
    const auto killed = Clock::now();
    load->stop();
    const std::vector<Load::Answered> answered = load->answered();
    std::printf("  answered ok by the old primary: %zu\n", answered.size());
    EXPECT_GT(answered.size(), 0U);
    // The standby takes over within the lease plus its catch-up.
    std::string last;
    ASSERT_TRUE(until_ok(standby.server->port(), kOrderKey, order(tag + "-probe"), 15'000, &last))
        << last;
    failover_ms.push_back(ms_since(killed));
    std::printf("  the standby accepted changes %lld ms after the kill\n",
                static_cast<long long>(failover_ms.back()));
    EXPECT_LT(failover_ms.back(), 10'000);
    ASSERT_NO_FATAL_FAILURE(expect_all_present(standby.server->port(), answered));
    // A fresh standby (the deposed primary's directory may hold unacknowledged commands: it
    // starts empty) reaches the new primary's state hash at the same seq.
    Replica fresh = start_replica(nats, true, kLeaseMs, "n" + std::to_string(round));
    ASSERT_TRUE(fresh.server->running());
    Client admin(standby.server->port());
    ASSERT_TRUE(admin.hello(kAdminKey));
    const Hash want = state_hash(admin);
    const Hash got = wait_for_seq(fresh.server->port(), want.seq);
    EXPECT_EQ(got.seq, want.seq);
    EXPECT_EQ(got.hash, want.hash);
    primary = std::move(standby);
    standby = std::move(fresh);
  }
  std::sort(failover_ms.begin(), failover_ms.end());
  std::printf("failover (kill to first ok on the new primary), median of %d rounds: %lld ms\n",
              kRounds, static_cast<long long>(failover_ms[failover_ms.size() / 2]));
}

// Pauses the primary past its lease; `requests_while_paused` pipelined orders are sent to it
// while it is paused (read after SIGCONT). None may be answered ok; it demotes itself and
// converges to the new primary's state.
void run_fencing(bool requests_while_paused) {
  constexpr int kLeaseMs = 1000;
  NatsCluster nats(3);
  Replica old, next;
  ASSERT_NO_FATAL_FAILURE(start_pair(nats, kLeaseMs, "old", "next", &old, &next));
  const uint16_t old_port = old.server->port();
  std::vector<Load::Answered> answered;
  {
    Load load(old_port, "before", 2, true);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    load.stop();
    answered = load.answered();
    ASSERT_TRUE(load.errors().empty()) << load.errors().front();
  }
  Client paused(old_port, 20'000);
  ASSERT_TRUE(paused.hello(kOrderKey));
  ASSERT_EQ(::kill(old.server->pid(), SIGSTOP), 0);
  const auto stopped = Clock::now();
  std::string last;
  ASSERT_TRUE(until_ok(next.server->port(), kOrderKey, order("on-new-1"), 15'000, &last)) << last;
  std::printf("the standby took over %lld ms after SIGSTOP\n",
              static_cast<long long>(ms_since(stopped)));
  {
    Load load(next.server->port(), "new", 1, true);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const int n = requests_while_paused ? 50 : 0;
  std::string burst;
  for (int i = 0; i < n; i++) burst += order("to-old-" + std::to_string(i)) + "\n";
  if (n > 0) {
    ASSERT_TRUE(paused.send(burst));
  }
  ASSERT_EQ(::kill(old.server->pid(), SIGCONT), 0);
  int ok = 0, unavailable = 0, not_primary = 0, other = 0, lost = 0;
  for (int i = 0; i < n; i++) {
    std::string line;
    if (!paused.read_line(&line)) {
      lost = n - i;  // the connection closed (the process restarted itself as a standby)
      break;
    }
    Json r(line);
    if (r.ok()) ok++;
    if (r.code() == "UNAVAILABLE") unavailable++;
    if (r.code() == "NOT_PRIMARY") not_primary++;
    if (!r.ok() && r.code() != "UNAVAILABLE" && r.code() != "NOT_PRIMARY") other++;
    EXPECT_FALSE(r.ok()) << "the deposed primary answered a change ok: " << line;
  }
  std::printf(
      "deposed primary's answers: ok %d, UNAVAILABLE %d, NOT_PRIMARY %d, other %d, unanswered "
      "%d\n",
      ok, unavailable, not_primary, other, lost);
  EXPECT_EQ(other, 0);
  // It demotes itself: a standby that names the new primary, at the new primary's state.
  bool demoted = false;
  for (int i = 0; i < 300 && !demoted; i++) {
    Client c(old_port, 2'000);
    if (c.connected() && c.hello(kOrderKey)) {
      Json r(c.call(order("to-old-after")));
      EXPECT_FALSE(r.ok()) << r.text();
      demoted = r.code() == "NOT_PRIMARY" &&
                r.str("/error/message").find(":" + std::to_string(next.server->port())) !=
                    std::string::npos;
    }
    if (!demoted) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(demoted);
  Client admin(next.server->port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  ASSERT_TRUE(Json(admin.call(order("on-new-2"))).ok());
  const Hash want = state_hash(admin);
  const Hash got = wait_for_seq(old_port, want.seq);
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.hash, want.hash);
  // Everything the old primary answered ok before its pause is on the new primary.
  expect_all_present(next.server->port(), answered);
  // The deposed data directory it moved aside (DIR.deposed-<ms>), if any.
  const std::filesystem::path dir(old.dir->path());
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir.parent_path(), ec))
    if (e.path().filename().string().starts_with(dir.filename().string() + ".deposed-"))
      std::filesystem::remove_all(e.path(), ec);
}

TEST(Fencing, PausedPrimaryWithRequestsQueuedAnswersNoChangeOkAndRejoinsAsStandby) {
  run_fencing(true);
}

TEST(Fencing, PausedIdlePrimaryDemotesItselfInPlace) {
  run_fencing(false);
}

}  // namespace
}  // namespace credo::test

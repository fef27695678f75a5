// credo-loadgen with several --host addresses against a replicated pair (docs/replication.md):
// the primary is killed mid-run; the load generator's connections move to the next address,
// follow NOT_PRIMARY until the standby has taken over, and the load goes on there.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/run_command.h"
#include "tests/common/server_process.h"
#include "tests/replication/harness.h"

namespace credo::test {
namespace {

TEST(LoadgenFailover, SeveralHostsFollowTheNewPrimaryAfterTheOldOneIsKilled) {
  NatsCluster nats(1);
  ServerProcess primary(replica_args(nats, ReplicaOptions{false, "", 1000}));
  ASSERT_TRUE(primary.running());
  ServerProcess standby(replica_args(nats, ReplicaOptions{true, "", 1000}));
  ASSERT_TRUE(standby.running());
  const std::string cmd = std::string(CREDO_LOADGEN_BIN) + " --host 127.0.0.1:" +
                          std::to_string(primary.port()) + " --host 127.0.0.1:" +
                          std::to_string(standby.port()) +
                          " --setup --admin-key k-admin --key k-admin --customers 20 "
                          "--products 20 --seed 7 --connections 2 --pipeline 4 --rate 400 "
                          "--duration 6 --drain 2 2>&1";
  std::printf("%s\n", cmd.c_str());
  RunResult run;
  std::thread loadgen([&] { run = run_command(cmd); });
  // Kill the primary once the load flows on it.
  Hash at_kill;
  {
    Client p(primary.port());
    ASSERT_TRUE(p.hello(kAdminKey));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      at_kill = state_hash(p);
      if (at_kill.seq >= 200 || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ASSERT_GE(at_kill.seq, 200);
  primary.kill_hard();
  loadgen.join();
  std::printf("%s\n", run.out.c_str());
  Client s(standby.port());
  ASSERT_TRUE(s.hello(kAdminKey));
  Json stats(s.call(R"({"op":"stats"})"));
  EXPECT_EQ(stats.str("/replication/role"), "primary") << stats.text();
  const Hash after = state_hash(s);
  std::printf("seq at the kill >= %lld; on the new primary after the run %lld\n",
              static_cast<long long>(at_kill.seq), static_cast<long long>(after.seq));
  // Only the load generator writes: its orders reached the new primary.
  EXPECT_GT(after.seq, at_kill.seq + 100) << run.out;
  EXPECT_NE(run.out.find("NOT_PRIMARY"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace credo::test

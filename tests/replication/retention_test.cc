// Snapshots and retention (docs/replication.md "Snapshots and retention"), and the lease
// released by a clean stop, against one real nats-server (R1) and credo-server processes.
#include <gtest/gtest.h>
#include <nats/nats.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
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

long long elapsed_ms(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
}

// The journal stream's first message: its stream sequence and the first command seq it holds
// (0, 0 if it cannot be read); and the seq of the snapshot stored in NATS (0: none).
struct StreamHead {
  uint64_t first_message = 0;
  uint64_t first_command = 0;
  uint64_t stored_snapshot = 0;
};

StreamHead stream_head(const NatsCluster& nats) {
  StreamHead out;
  natsConnection* nc = nullptr;
  if (natsConnection_ConnectTo(&nc, nats.url(0).c_str()) != NATS_OK) return out;
  jsCtx* js = nullptr;
  if (natsConnection_JetStream(&js, nc, nullptr) == NATS_OK) {
    jsStreamInfo* si = nullptr;
    jsErrCode je = static_cast<jsErrCode>(0);
    if (js_GetStreamInfo(&si, js, "credo", nullptr, &je) == NATS_OK) {
      out.first_message = si->State.FirstSeq;
      jsStreamInfo_Destroy(si);
      natsMsg* m = nullptr;
      const char* v = nullptr;
      if (js_GetMsg(&m, js, "credo", out.first_message, nullptr, &je) == NATS_OK) {
        if (natsMsgHeader_Get(m, "Credo-First-Seq", &v) == NATS_OK)
          out.first_command = std::strtoull(v, nullptr, 10);
        natsMsg_Destroy(m);
      }
      if (js_GetLastMsg(&m, js, "credo_snap", "credo.snap.meta", nullptr, &je) == NATS_OK) {
        if (natsMsgHeader_Get(m, "Credo-Snap-Seq", &v) == NATS_OK)
          out.stored_snapshot = std::strtoull(v, nullptr, 10);
        natsMsg_Destroy(m);
      }
    }
    jsCtx_Destroy(js);
  }
  natsConnection_Destroy(nc);
  return out;
}

// Polls until `pred(stream_head)` holds or `ms` pass; returns the last head read.
template <typename Pred>
StreamHead wait_head(const NatsCluster& nats, int ms, Pred pred) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
  StreamHead h = stream_head(nats);
  while (!pred(h) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    h = stream_head(nats);
  }
  return h;
}

std::vector<std::string> args(const NatsCluster& nats, bool follow, const std::string& data,
                              int lease_ms = 1000) {
  std::vector<std::string> a = replica_args(nats, ReplicaOptions{follow, data, lease_ms});
  if (!data.empty()) {
    a.emplace_back("--snapshot-every");
    a.emplace_back("200");
  }
  return a;
}

// `n` pipelined orders on `c`, each answered ok.
void orders(Client& c, const std::string& tag, int n) {
  std::string burst;
  for (int i = 0; i < n; i++) burst += order(tag + std::to_string(i)) + "\n";
  ASSERT_TRUE(c.send(burst));
  std::string line;
  for (int i = 0; i < n; i++) {
    ASSERT_TRUE(c.read_line(&line));
    ASSERT_TRUE(Json(line).ok()) << line;
  }
}

// The primary uploads its snapshots and trims the stream below what every replica reported; a
// brand-new standby then starts from the stored snapshot plus the tail (the stream alone no
// longer holds the start), and a standby that was down keeps its tail and catches up from its
// own data directory.
TEST(Retention, NewStandbyBootstrapsFromSnapshotAfterTheStreamWasTrimmed) {
  const auto t0 = Clock::now();
  NatsCluster nats(1);
  TempDir a("ret-a"), b("ret-b"), c("ret-c");
  ServerProcess primary(args(nats, false, a.path()));
  ASSERT_TRUE(primary.running());
  ServerProcess standby(args(nats, true, b.path()));
  ASSERT_TRUE(standby.running());
  Client p(primary.port());
  ASSERT_TRUE(p.hello(kAdminKey));
  setup_world(p);
  ASSERT_NO_FATAL_FAILURE(orders(p, "a", 1000));
  Hash want = state_hash(p);
  ASSERT_EQ(wait_for_seq(standby.port(), want.seq).seq, want.seq);
  // Both replicas snapshot every 200 commands: the stream is trimmed up to a snapshot.
  StreamHead h = wait_head(nats, 20'000, [](const StreamHead& x) {
    return x.stored_snapshot > 0 && x.first_command > 1;
  });
  std::printf("%lld ms: stored snapshot %llu; the stream starts at message %llu (command seq %llu)\n",
              elapsed_ms(t0), static_cast<unsigned long long>(h.stored_snapshot),
              static_cast<unsigned long long>(h.first_message),
              static_cast<unsigned long long>(h.first_command));
  ASSERT_GT(h.stored_snapshot, 0u);
  ASSERT_GT(h.first_message, 1u);
  ASSERT_GT(h.first_command, 1u);
  EXPECT_LE(h.first_command, h.stored_snapshot + 1);

  // A brand-new standby (empty data directory): snapshot plus tail.
  {
    ServerProcess fresh(args(nats, true, c.path()));
    ASSERT_TRUE(fresh.running());
    Hash got = wait_for_seq(fresh.port(), want.seq);
    EXPECT_EQ(got.seq, want.seq);
    EXPECT_EQ(got.hash, want.hash);
    ASSERT_NO_FATAL_FAILURE(orders(p, "b", 10));
    want = state_hash(p);
    got = wait_for_seq(fresh.port(), want.seq);
    EXPECT_EQ(got.hash, want.hash);
  }
  // The same without --data: the snapshot is loaded into memory.
  {
    ServerProcess memory(args(nats, true, ""));
    ASSERT_TRUE(memory.running());
    Hash got = wait_for_seq(memory.port(), want.seq);
    EXPECT_EQ(got.seq, want.seq);
    EXPECT_EQ(got.hash, want.hash);
  }

  // The standby goes down; its last report (its newest snapshot) holds the stream back while
  // the primary snapshots and trims on.
  ASSERT_EQ(standby.stop(), 0);
  const uint64_t down_at = static_cast<uint64_t>(want.seq);
  ASSERT_NO_FATAL_FAILURE(orders(p, "c", 1000));
  want = state_hash(p);
  h = wait_head(nats, 20'000, [&](const StreamHead& x) {
    return x.stored_snapshot > down_at;
  });
  std::printf("%lld ms: standby down at %llu; stored snapshot %llu; stream starts at command seq %llu\n",
              elapsed_ms(t0), static_cast<unsigned long long>(down_at),
              static_cast<unsigned long long>(h.stored_snapshot),
              static_cast<unsigned long long>(h.first_command));
  EXPECT_GT(h.stored_snapshot, down_at);
  EXPECT_LE(h.first_command, down_at + 1);
  ServerProcess again(args(nats, true, b.path()));
  ASSERT_TRUE(again.running());
  Hash got = wait_for_seq(again.port(), want.seq);
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.hash, want.hash);
  std::printf("done in %lld ms\n", static_cast<long long>(elapsed_ms(t0)));
}

// SIGTERM of the primary releases its lease: the standby takes over well before the TTL.
TEST(Retention, CleanStopOfThePrimaryReleasesTheLease) {
  constexpr int kLeaseMs = 10'000;
  NatsCluster nats(1);
  ServerProcess primary(args(nats, false, "", kLeaseMs));
  ASSERT_TRUE(primary.running());
  ServerProcess standby(args(nats, true, "", kLeaseMs));
  ASSERT_TRUE(standby.running());
  {
    Client p(primary.port());
    ASSERT_TRUE(p.hello(kAdminKey));
    setup_world(p);
    ASSERT_NO_FATAL_FAILURE(orders(p, "x", 100));
  }
  const auto stopped = Clock::now();
  ASSERT_EQ(primary.stop(), 0);
  Client s(standby.port(), 5'000);
  ASSERT_TRUE(s.hello(kAdminKey));
  std::string last;
  bool ok = false;
  const auto deadline = stopped + std::chrono::milliseconds(3 * kLeaseMs);
  while (!ok && Clock::now() < deadline) {
    last = s.call(order("after-stop"));
    ok = Json(last).ok();
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stopped).count();
  std::printf("the standby accepted a change %lld ms after SIGTERM of the primary (lease %d ms)\n",
              static_cast<long long>(ms), kLeaseMs);
  ASSERT_TRUE(ok) << last;
  // Without the release it could not take the lease before the TTL ran out (at least 3/4 of it
  // after the last renewal).
  EXPECT_LT(ms, kLeaseMs / 2);
  // The primary's start journals its --order-retention-days (a set_policy), then the world, the
  // orders and the standby's one.
  EXPECT_EQ(state_hash(s).seq, 1 + 2 + 100 + 1);
}

}  // namespace
}  // namespace credo::test

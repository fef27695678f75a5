// The state_hash op (docs/protocol.md "Extensions") and `credo-wal hash DIR [--at SEQ]`: the
// hash the server reports at a seq equals the one replay computes for the same seq, whether
// replay starts from the beginning or from a snapshot.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"
#include "tests/crash/tools.h"

namespace credo::test {
namespace {

struct Point {
  int64_t seq = 0;
  std::string hash;
};

Point state_hash(Client& c) {
  Json h(c.call(R"({"id":"h","op":"state_hash"})"));
  EXPECT_TRUE(h.ok()) << h.text();
  EXPECT_EQ(h.str("/id"), "h");
  EXPECT_EQ(h.str("/hash").size(), 16u) << h.text();
  EXPECT_GE(h.num("/durable_seq"), h.num("/seq")) << h.text();
  return {h.num("/seq"), h.str("/hash")};
}

void orders(Client& c, int n, const std::string& prefix) {
  for (int i = 0; i < n; i++)
    ASSERT_TRUE(Json(c.call(R"({"op":"submit_order","customer":"C","client_order_id":")" + prefix +
                            std::to_string(i) + R"(","lines":[{"sku":"B","qty":1}]})"))
                    .ok());
}

TEST(StateHash, NeedsAdmin) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  Client c(server.port());
  ASSERT_TRUE(c.hello(kOrderKey));
  EXPECT_EQ(Json(c.call(R"({"op":"state_hash"})")).code(), "FORBIDDEN");
  Client admin(server.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  // No business state yet; seq 1 is the start's journaled --order-retention-days (90).
  Point empty = state_hash(admin);
  EXPECT_EQ(empty.seq, 1);
  // Reads do not change it; a state change does.
  EXPECT_EQ(Json(admin.call(R"({"op":"get_product","sku":"B"})")).code(), "NOT_FOUND");
  EXPECT_EQ(state_hash(admin).hash, empty.hash);
  ASSERT_TRUE(Json(admin.call(R"({"op":"upsert_product","sku":"B","price":100})")).ok());
  Point one = state_hash(admin);
  EXPECT_EQ(one.seq, 2);
  EXPECT_NE(one.hash, empty.hash);
  // Fields are validated like any op's.
  EXPECT_EQ(Json(admin.call(R"({"op":"state_hash","x":1})")).code(), "BAD_REQUEST");
}

TEST(StateHash, ReplayFromStartAndFromSnapshotMatchTheServer) {
  DataDir dir;
  std::vector<Point> points;
  {
    ServerProcess server({"--data", dir.path()});
    ASSERT_TRUE(server.running());
    Client admin(server.port());
    ASSERT_TRUE(admin.hello(kAdminKey));
    points.push_back(state_hash(admin));  // seq 0: the empty state
    ASSERT_TRUE(
        Json(admin.call(R"({"op":"upsert_product","sku":"B","price":100,"on_hand":1000})")).ok());
    ASSERT_TRUE(
        Json(admin.call(
                 R"({"op":"upsert_customer","customer":"C","grade":"A","credit_limit":1000000})"))
            .ok());
    orders(admin, 20, "a");
    points.push_back(state_hash(admin));
    Json snap(admin.call(R"({"op":"snapshot"})"));
    ASSERT_TRUE(snap.ok()) << snap.text();
    EXPECT_EQ(snap.num("/seq"), points.back().seq);
    orders(admin, 20, "b");
    ASSERT_TRUE(Json(admin.call(R"({"op":"set_clock","now":"2026-03-01T00:00:00Z"})")).ok());
    ASSERT_TRUE(
        Json(
            admin.call(R"({"op":"record_payment","customer":"C","amount":700,"payment_ref":"r1"})"))
            .ok());
    points.push_back(state_hash(admin));
    server.kill_hard();
  }
  // Before the snapshot: replayed from the start; at it: the snapshot alone; after: snapshot +
  // replay. Each must be what the server reported.
  for (const Point& p : points) {
    std::string out;
    EXPECT_EQ(wal_hash(dir.path(), p.seq, &out), p.hash) << "at " << p.seq << ": " << out;
  }
  std::string out;
  EXPECT_EQ(wal_hash(dir.path(), -1, &out), points.back().hash) << out;
  EXPECT_NE(out.find("\"seq\":" + std::to_string(points.back().seq)), std::string::npos) << out;
  // Past the end of the log: an error, not the hash of some other state.
  EXPECT_EQ(wal_hash(dir.path(), points.back().seq + 1, &out), "") << out;

  // Without the snapshot, replay from the beginning reaches the same hash at the end.
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().extension() == ".snap") std::filesystem::remove(e.path());
  EXPECT_EQ(wal_hash(dir.path(), points.back().seq, &out), points.back().hash) << out;
  EXPECT_EQ(wal_hash(dir.path(), -1, &out), points.back().hash) << out;

  // The restarted server recovers to the same hash.
  ServerProcess again({"--data", dir.path()});
  ASSERT_TRUE(again.running());
  Client admin(again.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  Point recovered = state_hash(admin);
  EXPECT_EQ(recovered.seq, points.back().seq);
  EXPECT_EQ(recovered.hash, points.back().hash);
}

TEST(StateHash, StatsShowTheJournal) {
  DataDir dir;
  ServerProcess server({"--data", dir.path()});
  ASSERT_TRUE(server.running());
  Client admin(server.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  ASSERT_TRUE(Json(admin.call(R"({"op":"upsert_product","sku":"B","price":100})")).ok());
  Json s(admin.call(R"({"op":"stats"})"));
  ASSERT_TRUE(s.ok()) << s.text();
  // The start's set_policy (--order-retention-days) and the product.
  EXPECT_EQ(s.num("/journal/records"), 2) << s.text();
  EXPECT_GE(s.num("/journal/syncs"), 1) << s.text();
  EXPECT_GE(s.num("/journal/batches"), 1) << s.text();
  // Without --data there is no journal to describe.
  ServerProcess memory;
  ASSERT_TRUE(memory.running());
  Client m(memory.port());
  ASSERT_TRUE(m.hello(kAdminKey));
  EXPECT_FALSE(Json(m.call(R"({"op":"stats"})")).has("/journal"));
}

}  // namespace
}  // namespace credo::test

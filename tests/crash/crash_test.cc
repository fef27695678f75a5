// The crash test (issue 4): the real credo-server with --data and --durability fsync is driven
// with pipelined orders, payments and ships from 4 connections while every answer is recorded,
// then killed with SIGKILL at a random moment and restarted on the same directory. Whatever
// was answered ok must be there after recovery, exactly as answered:
//   - every answered order exists with the same number, customer, client_order_id and
//     decision; resubmitting it is a duplicate with the same number and decision;
//   - every answered payment is on the customer's statement; resubmitting it is a duplicate;
//   - every answered ship left its order shipped;
//   - no answered order number is beyond what was recovered (the next new order gets a
//     higher one);
//   - replay is deterministic: the state hash the server reported at a quiescent moment before
//     the kill equals `credo-wal hash DIR --at <that seq>`, and the recovered server's hash
//     equals `credo-wal hash DIR` (replay to the end);
//   - `credo-wal verify DIR` accepts the directory after the kill and after a clean stop.
// Some iterations take a snapshot mid-run (op `snapshot`), so recovery is snapshot + replay.
//
// Each kill point is one iteration with its own seed, printed so a failure can be replayed:
//   CREDO_CRASH_POINTS   iterations (default 20)
//   CREDO_CRASH_SEED     seed of the first iteration (default 1); iteration i
//                        uses seed + i. Reproduce one with CREDO_CRASH_POINTS=1 CREDO_CRASH_SEED=S.
//   CREDO_CRASH_KEEP     keep the data directories (their paths are printed)
//   CREDO_CRASH_DURABILITY  the server's --durability (default fsync; none must fail)
// The kill moment is seeded, but what was in flight at that moment depends on scheduling: a
// seed reproduces the workload and the timing, not the exact cut.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/fault_matrix.h"
#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"
#include "tests/crash/tools.h"

namespace credo::test {
namespace {

constexpr int kConnections = 4;
constexpr int kCustomersPerConnection = 5;
constexpr int kProducts = 8;
constexpr int kWindow = 48;  // requests in flight per connection (one write, then the answers)

enum class Kind : uint8_t { order, payment, ship };

struct Request {
  Kind kind = Kind::order;
  std::string line;      // what was sent (without '\n')
  std::string customer;  // order, payment
  std::string key;       // client_order_id or payment_ref
  int64_t amount = 0;    // payment
  int64_t order_no = 0;  // ship
};

// What one connection sent and what came back (answers[i] answers sent[i]).
struct Connection {
  std::vector<Request> sent;
  std::vector<std::string> answers;
  std::vector<int64_t> shippable;  // accepted orders of this connection not shipped yet
};

std::string customer_name(int conn, int k) {
  return "C" + std::to_string(conn) + "-" + std::to_string(k);
}

// One connection's load: windows of pipelined requests until `rounds` windows are done
// (rounds < 0: until the connection breaks, i.e. the server was killed).
void drive(uint16_t port, int conn, uint64_t seed, int rounds, Connection& state) {
  std::mt19937_64 rng(seed);
  Client c(port);
  if (!c.connected() || !c.hello(kAdminKey)) return;
  std::string batch, answer;
  for (int round = 0; rounds < 0 || round < rounds; round++) {
    batch.clear();
    const std::size_t first = state.sent.size();
    for (int i = 0; i < kWindow; i++) {
      Request r;
      const uint64_t n = state.sent.size();
      const int pick = static_cast<int>(rng() % 100);
      r.customer = customer_name(conn, static_cast<int>(rng() % kCustomersPerConnection));
      if (pick < 8 && !state.shippable.empty()) {
        r.kind = Kind::ship;
        std::size_t at = rng() % state.shippable.size();
        r.order_no = state.shippable[at];
        state.shippable.erase(state.shippable.begin() + static_cast<std::ptrdiff_t>(at));
        r.line = R"({"id":)" + std::to_string(n) + R"(,"op":"ship","order_no":)" +
                 std::to_string(r.order_no) + "}";
      } else if (pick < 25) {
        r.kind = Kind::payment;
        r.key = "p" + std::to_string(conn) + "-" + std::to_string(n);
        r.amount = 100 + static_cast<int64_t>(rng() % 5000);
        r.line = R"({"id":)" + std::to_string(n) + R"(,"op":"record_payment","customer":")" +
                 r.customer + R"(","payment_ref":")" + r.key + R"(","amount":)" +
                 std::to_string(r.amount) + "}";
      } else {
        r.kind = Kind::order;
        r.key = "o" + std::to_string(conn) + "-" + std::to_string(n);
        r.line = R"({"id":)" + std::to_string(n) + R"(,"op":"submit_order","customer":")" +
                 r.customer + R"(","client_order_id":")" + r.key + R"(","lines":[)";
        const int lines = 1 + static_cast<int>(rng() % 3);
        for (int l = 0; l < lines; l++) {
          if (l) r.line += ",";
          r.line += R"({"sku":"P)" + std::to_string(rng() % kProducts) + R"(","qty":)" +
                    std::to_string(1 + rng() % 5) + "}";
        }
        r.line += "]}";
      }
      batch += r.line;
      batch += '\n';
      state.sent.push_back(std::move(r));
    }
    if (!c.send(batch)) return;
    for (std::size_t i = first; i < state.sent.size(); i++) {
      if (!c.read_line(&answer)) return;  // killed: the rest stays unanswered
      const Request& r = state.sent[i];
      if (r.kind == Kind::order) {
        Json j(answer);
        if (j.ok() && j.str("/status") == "accepted") state.shippable.push_back(j.num("/order_no"));
      }
      state.answers.push_back(std::move(answer));
    }
  }
}

// Sends `lines` pipelined in chunks and returns one answer per line ("" if none came).
std::vector<std::string> call_all(Client& c, const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  out.reserve(lines.size());
  constexpr std::size_t kChunk = 256;
  std::string batch, answer;
  for (std::size_t at = 0; at < lines.size(); at += kChunk) {
    const std::size_t end = std::min(lines.size(), at + kChunk);
    batch.clear();
    for (std::size_t i = at; i < end; i++) batch += lines[i] + "\n";
    if (!c.send(batch)) break;
    for (std::size_t i = at; i < end; i++) {
      if (!c.read_line(&answer)) answer.clear();
      out.push_back(answer);
    }
  }
  out.resize(lines.size());
  return out;
}

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// Statement entries of type payment for `customer`: ref -> amount (as shown: negative).
std::map<std::string, int64_t> statement_payments(Client& admin, const std::string& customer) {
  std::map<std::string, int64_t> out;
  Json s(admin.call(R"({"op":"statement","customer":")" + customer +
                    R"(","from":"2000-01-01","to":"2099-12-31"})"));
  EXPECT_TRUE(s.ok()) << s.text();
  const std::size_t n = s.size("/entries");
  for (std::size_t i = 0; i < n; i++) {
    const std::string p = "/entries/" + std::to_string(i);
    if (s.str((p + "/type").c_str()) != "payment") continue;
    out[s.str((p + "/ref").c_str())] = s.num((p + "/amount").c_str());
  }
  return out;
}

struct IterationSummary {
  uint64_t answered = 0, sent = 0, orders = 0, payments = 0, ships = 0;
  uint64_t hash_seq = 0, recovered_seq = 0;
  bool snapshot = false;
};

void run_iteration(uint64_t seed, IterationSummary* sum) {
  std::mt19937_64 rng(seed);
  DataDir dir;
  ASSERT_FALSE(dir.path().empty());
  SCOPED_TRACE("data dir " + dir.path());
  // CREDO_CRASH_DURABILITY=none checks the test itself: it must then fail (answers leave
  // before their records are written, so a kill loses answered commands).
  const char* durability = std::getenv("CREDO_CRASH_DURABILITY");
  const std::vector<std::string> server_args = {"--data", dir.path(), "--durability",
                                                durability ? durability : "fsync"};

  uint64_t hash_seq = 0;
  std::string hash_before;
  std::vector<Connection> conns(kConnections);
  {
    ServerProcess server(server_args);
    ASSERT_TRUE(server.running());
    Client admin(server.port());
    ASSERT_TRUE(admin.hello(kAdminKey));

    // A small world: customers with limits from tight (orders get held) to roomy, one of grade
    // D (held for credit grade), and products of which one runs out (rejections).
    std::vector<std::string> setup;
    for (int c = 0; c < kConnections; c++)
      for (int k = 0; k < kCustomersPerConnection; k++) {
        const char* grade = k == 4 ? "D" : "A";
        const int64_t limit = k == 0 ? 5'000 : 1'000'000'000;
        setup.push_back(R"({"op":"upsert_customer","customer":")" + customer_name(c, k) +
                        R"(","grade":")" + grade + R"(","credit_limit":)" + std::to_string(limit) +
                        "}");
      }
    for (int p = 0; p < kProducts; p++)
      setup.push_back(R"({"op":"upsert_product","sku":"P)" + std::to_string(p) + R"(","price":)" +
                      std::to_string(100 + 37 * p) + R"(,"on_hand":)" +
                      (p == kProducts - 1 ? "300" : "100000000") + "}");
    for (const std::string& a : call_all(admin, setup)) ASSERT_TRUE(Json(a).ok()) << a;

    // Phase A: a few windows on every connection, then a quiescent moment (every request
    // answered) for the state hash.
    const int rounds_a = 1 + static_cast<int>(rng() % 5);
    {
      std::vector<std::thread> threads;
      for (int c = 0; c < kConnections; c++)
        threads.emplace_back(drive, server.port(), c, seed * 31 + c, rounds_a, std::ref(conns[c]));
      for (auto& t : threads) t.join();
    }
    for (int c = 0; c < kConnections; c++)
      ASSERT_EQ(conns[c].answers.size(), conns[c].sent.size()) << "connection " << c;
    Json h(admin.call(R"({"op":"state_hash"})"));
    ASSERT_TRUE(h.ok()) << h.text();
    hash_seq = static_cast<uint64_t>(h.num("/seq"));
    hash_before = h.str("/hash");
    // Everything applied was answered, and answers leave only once durable.
    EXPECT_GE(h.num("/durable_seq"), h.num("/seq")) << h.text();
    ASSERT_EQ(hash_before.size(), 16u) << h.text();

    // Phase B: load until the kill; in some iterations a snapshot is taken mid-run.
    // Every other seed takes a snapshot mid-run, so recovery is snapshot + replay.
    sum->snapshot = seed % 2 == 0;
    const auto snapshot_after = std::chrono::milliseconds(rng() % 150);
    const auto kill_after = std::chrono::milliseconds(20 + rng() % 300);
    std::vector<std::thread> threads;
    for (int c = 0; c < kConnections; c++)
      threads.emplace_back(drive, server.port(), c, seed * 131 + c, -1, std::ref(conns[c]));
    if (sum->snapshot) {
      std::this_thread::sleep_for(snapshot_after);
      if (rng() % 3 == 0) {
        // Do not wait for it: the kill may then land while the snapshot is being written.
        ASSERT_TRUE(admin.send("{\"op\":\"snapshot\"}\n"));
      } else {
        Json s(admin.call(R"({"op":"snapshot"})"));
        EXPECT_TRUE(s.ok()) << s.text();
      }
    }
    std::this_thread::sleep_for(kill_after);
    server.kill_hard();
    for (auto& t : threads) t.join();
  }

  // The directory as the crash left it: valid, and replay to the hashed seq is deterministic.
  {
    RunResult v = run_wal("verify '" + dir.path() + "'", true);
    EXPECT_EQ(v.exit_code, 0) << "credo-wal verify after the kill:\n" << v.out;
    std::string out;
    EXPECT_EQ(wal_hash(dir.path(), static_cast<long long>(hash_seq), &out), hash_before)
        << "credo-wal hash --at " << hash_seq << ": " << out;
  }
  std::string hash_end_out;
  const std::string hash_end = wal_hash(dir.path(), -1, &hash_end_out);
  EXPECT_EQ(hash_end.size(), 16u) << hash_end_out;

  ServerProcess server(server_args);
  ASSERT_TRUE(server.running());
  Client admin(server.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  {
    // Recovery in the server and replay in credo-wal reach the same state.
    Json h(admin.call(R"({"op":"state_hash"})"));
    ASSERT_TRUE(h.ok()) << h.text();
    EXPECT_EQ(h.str("/hash"), hash_end) << h.text() << " vs credo-wal " << hash_end_out;
    EXPECT_GE(static_cast<uint64_t>(h.num("/seq")), hash_seq);
    sum->recovered_seq = static_cast<uint64_t>(h.num("/seq"));
  }
  sum->hash_seq = hash_seq;

  // Every answered command, checked (pipelined: reads first, then the resubmits).
  std::vector<std::string> reads, resubmits;
  std::vector<const Request*> read_req, resubmit_req;
  std::vector<std::string> answered_of_read, answered_of_resubmit;
  std::map<std::string, std::vector<const Request*>> payments_by_customer;
  int64_t max_order_no = 0;
  for (const Connection& c : conns) {
    sum->sent += c.sent.size();
    sum->answered += c.answers.size();
    for (std::size_t i = 0; i < c.answers.size(); i++) {
      const Request& r = c.sent[i];
      Json a(c.answers[i]);
      ASSERT_TRUE(a.valid()) << c.answers[i];
      EXPECT_EQ(a.num("/id"), static_cast<int64_t>(i)) << c.answers[i];
      if (!a.ok()) {
        // Only a ship may fail (an order this connection saw accepted was expected to ship).
        ADD_FAILURE() << "unexpected error answer to " << r.line << ": " << c.answers[i];
        continue;
      }
      switch (r.kind) {
        case Kind::order:
          sum->orders++;
          max_order_no = std::max(max_order_no, a.num("/order_no"));
          reads.push_back(R"({"op":"get_order","order_no":)" + std::to_string(a.num("/order_no")) +
                          "}");
          read_req.push_back(&r);
          answered_of_read.push_back(c.answers[i]);
          resubmits.push_back(r.line);
          resubmit_req.push_back(&r);
          answered_of_resubmit.push_back(c.answers[i]);
          break;
        case Kind::payment:
          sum->payments++;
          payments_by_customer[r.customer].push_back(&r);
          resubmits.push_back(r.line);
          resubmit_req.push_back(&r);
          answered_of_resubmit.push_back(c.answers[i]);
          break;
        case Kind::ship:
          sum->ships++;
          reads.push_back(R"({"op":"get_order","order_no":)" + std::to_string(r.order_no) + "}");
          read_req.push_back(&r);
          answered_of_read.push_back(c.answers[i]);
          break;
      }
    }
  }

  std::vector<std::string> got = call_all(admin, reads);
  for (std::size_t i = 0; i < reads.size(); i++) {
    const Request& r = *read_req[i];
    Json was(answered_of_read[i]);
    Json now(got[i]);
    ASSERT_TRUE(now.ok()) << reads[i] << " -> " << got[i]
                          << " (answered before the kill: " << answered_of_read[i] << ")";
    if (r.kind == Kind::order) {
      EXPECT_EQ(now.num("/order_no"), was.num("/order_no")) << got[i];
      EXPECT_EQ(now.str("/decision"), was.str("/status"))
          << got[i] << " vs " << answered_of_read[i];
      EXPECT_EQ(now.str("/customer"), r.customer) << got[i];
      EXPECT_EQ(now.str("/client_order_id"), r.key) << got[i];
    } else {
      EXPECT_EQ(now.str("/status"), "shipped") << got[i] << " after ship " << answered_of_read[i];
    }
  }

  // Statements before the resubmits (which must not change them).
  for (const auto& [customer, pays] : payments_by_customer) {
    std::map<std::string, int64_t> on_statement = statement_payments(admin, customer);
    for (const Request* p : pays) {
      auto it = on_statement.find(p->key);
      if (it == on_statement.end()) {
        ADD_FAILURE() << "answered payment " << p->key << " of " << customer
                      << " is not on the statement";
        continue;
      }
      EXPECT_EQ(it->second, -p->amount) << p->key;
    }
  }

  got = call_all(admin, resubmits);
  for (std::size_t i = 0; i < resubmits.size(); i++) {
    const Request& r = *resubmit_req[i];
    Json was(answered_of_resubmit[i]);
    Json now(got[i]);
    ASSERT_TRUE(now.ok()) << resubmits[i] << " -> " << got[i];
    EXPECT_TRUE(now.has("/duplicate")) << resubmits[i] << " -> " << got[i];
    if (r.kind == Kind::order) {
      EXPECT_EQ(now.num("/order_no"), was.num("/order_no")) << got[i];
      EXPECT_EQ(now.str("/status"), was.str("/status"))
          << got[i] << " vs " << answered_of_resubmit[i];
    } else {
      EXPECT_EQ(now.num("/amount"), r.amount) << got[i];
    }
  }

  // Numbering: a new order gets the next number after everything recovered, so no answered
  // number lies beyond the recovered count.
  Json fresh(admin.call(
      R"({"op":"submit_order","customer":"C0-1","client_order_id":"after-recovery","lines":[{"sku":"P0","qty":1}]})"));
  ASSERT_TRUE(fresh.ok()) << fresh.text();
  EXPECT_GT(fresh.num("/order_no"), max_order_no) << fresh.text();

  // Clean stop (final snapshot), then the directory must verify.
  EXPECT_EQ(server.stop(), 0);
  RunResult v = run_wal("verify '" + dir.path() + "'", true);
  EXPECT_EQ(v.exit_code, 0) << "credo-wal verify after the clean stop:\n" << v.out;
}

TEST(Crash, AnsweredCommandsSurviveKillNine) {
  const uint64_t points = env_u64("CREDO_CRASH_POINTS", 20);
  // A fixed first seed, so the suite's runs are the same on every commit; a soak passes
  // CREDO_CRASH_SEED (docs/reliability.md, "Soak").
  const uint64_t base = env_u64("CREDO_CRASH_SEED", 1);
  std::printf("crash test: %llu kill points, seeds %llu..%llu\n",
              static_cast<unsigned long long>(points), static_cast<unsigned long long>(base),
              static_cast<unsigned long long>(base + points - 1));
  for (uint64_t i = 0; i < points; i++) {
    const uint64_t seed = base + i;
    std::printf(
        "kill point %llu: seed %llu (reproduce: CREDO_CRASH_POINTS=1 CREDO_CRASH_SEED=%llu)\n",
        static_cast<unsigned long long>(i), static_cast<unsigned long long>(seed),
        static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    SCOPED_TRACE("kill point " + std::to_string(i) + ", seed " + std::to_string(seed));
    IterationSummary sum;
    const auto t0 = std::chrono::steady_clock::now();
    run_iteration(seed, &sum);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "  sent %llu, answered %llu (orders %llu, payments %llu, ships %llu); hash at seq %llu; "
        "recovered seq %llu; snapshot mid-run: %s; %.1f s\n",
        static_cast<unsigned long long>(sum.sent), static_cast<unsigned long long>(sum.answered),
        static_cast<unsigned long long>(sum.orders), static_cast<unsigned long long>(sum.payments),
        static_cast<unsigned long long>(sum.ships), static_cast<unsigned long long>(sum.hash_seq),
        static_cast<unsigned long long>(sum.recovered_seq), sum.snapshot ? "yes" : "no", s);
    std::fflush(stdout);
    if (HasFatalFailure() || HasFailure()) break;  // the first failing seed is the one to chase
  }
  if (!HasFailure()) {
    record_fault("Crash",
                 "kill -9 of the real server at a random instant under 4 pipelining clients",
                 std::to_string(points) +
                     " kill points (fixed seeds, printed): every answered order, payment "
                     "and shipment present after restart; their resubmits are duplicates; "
                     "credo-wal verify passes; the replayed state hash equals the server's");
  }
}

}  // namespace
}  // namespace credo::test

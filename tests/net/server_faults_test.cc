// The server under file-system faults (issue "Reliability"): a real Server on a loopback port in
// this process, journaling through a FileSystem whose fdatasync or writes the test breaks and
// mends at will. What a client must see: no ok for a change that is not durable, every later
// change refused with a clear error while reads go on, and once the fault clears, the server
// resumes on its own with the changes that were never durable rolled back; the directory it
// leaves recovers to exactly the state it last reported.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "engine/engine.h"
#include "tools/server/journal_log.h"
#include "net/server.h"
#include "persistence/recovery.h"
#include "tests/common/fault_matrix.h"
#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"
#include "tests/persistence/test_util.h"

namespace credo::test {
namespace {

constexpr const char* kArea = "Server under file-system faults";
// Short, so that the tests wait little for a resume; the behaviour does not depend on it.
constexpr int kResumeIntervalMs = 50;

// A Server over a JournalLog in `dir` whose file system is `fs`, serving on a free loopback
// port from a thread of its own, with the manual clock (no journaled ticks of its own).
class InProcessServer {
 public:
  InProcessServer(const std::string& dir, FileSystem* fs) {
    JournalOptions jo;
    jo.dir = dir;
    jo.fs = fs;
    auto engine = std::make_unique<Engine>();
    auto log = std::make_unique<JournalLog>();
    std::string error;
    RecoveryReport report;
    if (!log->open(jo, *engine, &report, &error)) {
      ADD_FAILURE() << "journal open: " << error;
      return;
    }
    net::ServerOptions options;
    options.port = 0;
    options.handle_signals = false;
    options.shutdown_grace_ms = 2'000;
    options.resume_interval_ms = kResumeIntervalMs;
    options.clock_mode = net::Clock::Mode::manual;
    options.clock_start_ms = kStart;
    options.engine_inline = test::engine_inline_for_tests();
    server_ =
        std::make_unique<net::Server>(options, std::move(engine), std::move(log), net::KeyStore{});
    if (!server_->listen(&error)) {
      ADD_FAILURE() << "listen: " << error;
      server_.reset();
      return;
    }
    thread_ = std::thread([this] { server_->run(); });
  }
  ~InProcessServer() { stop(); }

  bool running() const { return server_ != nullptr; }
  uint16_t port() const { return server_->port(); }

  // Graceful stop, then close the log (a final sync). Returns close_log's result.
  bool stop(std::string* error = nullptr) {
    if (!server_) return false;
    server_->stop();
    thread_.join();
    std::string ignored;
    bool ok = server_->close_log(/*snapshot=*/false, error != nullptr ? error : &ignored);
    server_.reset();
    return ok;
  }

 private:
  std::unique_ptr<net::Server> server_;
  std::thread thread_;
};

std::string error_message(const Json& j) {
  return j.str("/error/message");
}

// "CODE 'message'" as the fault matrix shows an error answer.
std::string error_text(const Json& j) {
  return j.code() + " '" + error_message(j) + "'";
}

// stats' journal.failed (an extension field): 1 true, 0 false, -1 absent.
int journal_failed(const Json& stats) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool b = false;
  if (parser.parse(stats.text()).get(root) || root.at_pointer("/journal/failed").get_bool().get(b))
    return -1;
  return b ? 1 : 0;
}

// A customer and a product to order, and one order that is durable before any fault.
void set_up_world(Client& c) {
  ASSERT_TRUE(Json(c.call(R"({"op":"upsert_product","sku":"B","price":100,"on_hand":100})")).ok());
  ASSERT_TRUE(
      Json(c.call(R"({"op":"upsert_customer","customer":"C","grade":"A","credit_limit":100000})"))
          .ok());
  Json first(c.call(R"({"op":"submit_order","client_order_id":"PO-1","customer":"C",)"
                    R"("lines":[{"sku":"B","qty":1}]})"));
  ASSERT_EQ(first.str("/status"), "accepted") << first.text();
}

std::string order(const char* client_order_id) {
  return std::string(R"({"op":"submit_order","client_order_id":")") + client_order_id +
         R"(","customer":"C","lines":[{"sku":"B","qty":1}]})";
}

// Polls stats until the journal no longer reports a failure; false after 10 s.
bool wait_until_resumed(Client& c) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (journal_failed(Json(c.call(R"({"op":"stats"})"))) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// What the fault-specific scenarios below share: a fault switched on by `break_disk` while
// order PO-2 waits for durability, observed from a client, then mended by `mend_disk`.
// Returns the observed text for the fault matrix ("" after a failed assertion).
struct FaultRun {
  std::string in_flight;  // the in-flight order's error answer
  std::string refused;    // a later order's error answer
  std::string failure;    // stats' journal.failure while failed
  std::string after;      // what the client saw after the fault cleared
  std::string hash;       // the server's last state_hash
  int64_t hash_seq = -1;  // and its seq
};

template <typename Break, typename Mend>
void run_fault(InProcessServer& server, Break break_disk, Mend mend_disk, bool resume_by_retry,
               FaultRun* run) {
  Client c(server.port());
  ASSERT_TRUE(c.connected());
  ASSERT_NO_FATAL_FAILURE(set_up_world(c));
  Json reserved_before(c.call(R"({"op":"get_product","sku":"B"})"));
  ASSERT_EQ(reserved_before.num("/reserved"), 1) << reserved_before.text();

  break_disk();
  // The engine applies PO-2 and journals it; the journal cannot make it durable.
  Json in_flight(c.call(order("PO-2")));
  ASSERT_FALSE(in_flight.ok()) << in_flight.text();
  EXPECT_EQ(in_flight.code(), "UNAVAILABLE");
  EXPECT_TRUE(
      error_message(in_flight).starts_with("the journal failed before this change was "
                                           "durable"))
      << in_flight.text();
  run->in_flight = error_text(in_flight);

  // Every later change is refused at once and not applied; reads go on.
  Json refused(c.call(order("PO-3")));
  ASSERT_FALSE(refused.ok()) << refused.text();
  EXPECT_EQ(refused.code(), "UNAVAILABLE");
  EXPECT_TRUE(error_message(refused).starts_with("the journal cannot write: ")) << refused.text();
  run->refused = error_text(refused);
  Json refused_clock(c.call(R"({"op":"set_clock","now":"2026-09-22T00:00:00Z"})"));
  EXPECT_EQ(error_text(refused_clock), run->refused) << refused_clock.text();
  Json read(c.call(R"({"op":"get_customer","customer":"C"})"));
  EXPECT_TRUE(read.ok()) << read.text();
  Json stats(c.call(R"({"op":"stats"})"));
  EXPECT_EQ(journal_failed(stats), 1) << stats.text();
  run->failure = stats.str("/journal/failure");
  EXPECT_FALSE(run->failure.empty()) << stats.text();
  Json snapshot(c.call(R"({"op":"snapshot"})"));
  EXPECT_EQ(snapshot.code(), "INVALID_STATE") << snapshot.text();

  mend_disk();
  std::string resumed_by;
  if (resume_by_retry) {
    // A client that keeps resubmitting: each refusal applied nothing, and within a resume
    // interval of the fault clearing, the resubmission is taken.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string answer = c.call(order("PO-2"));
    for (;;) {
      Json refused_again(answer);
      if (refused_again.ok() || std::chrono::steady_clock::now() >= deadline) break;
      ASSERT_TRUE(error_message(refused_again).starts_with("the journal cannot write: ")) << answer;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      answer = c.call(order("PO-2"));
    }
    Json again(answer);  // (Json is not assignable: it points into its own parser)
    ASSERT_TRUE(again.ok()) << again.text();
    // Accepted as a new order, not as a duplicate of a PO-2 that survived.
    EXPECT_EQ(again.str("/status"), "accepted") << again.text();
    EXPECT_FALSE(again.has("/duplicate")) << again.text();
    Json product(c.call(R"({"op":"get_product","sku":"B"})"));
    EXPECT_EQ(product.num("/reserved"), 2) << product.text();
    resumed_by = "the refused order resubmitted until accepted: accepted as new (not a duplicate)";
  } else {
    // Nobody writes: the engine thread resumes on its own wake-up.
    ASSERT_TRUE(wait_until_resumed(c));
    // The in-flight order was rolled back with everything it reserved.
    Json product(c.call(R"({"op":"get_product","sku":"B"})"));
    EXPECT_EQ(product.num("/reserved"), 1) << product.text();
    Json again(c.call(order("PO-2")));
    ASSERT_TRUE(again.ok()) << again.text();
    EXPECT_EQ(again.str("/status"), "accepted") << again.text();
    EXPECT_FALSE(again.has("/duplicate")) << again.text();
    resumed_by =
        "resumed without a request (stats journal.failed false), reserved stock back "
        "to before the in-flight order, refused order resubmitted: accepted as new "
        "(not a duplicate)";
  }
  Json next(c.call(order("PO-4")));
  EXPECT_EQ(next.str("/status"), "accepted") << next.text();
  Json stats_after(c.call(R"({"op":"stats"})"));
  EXPECT_EQ(journal_failed(stats_after), 0) << stats_after.text();
  EXPECT_EQ(stats_after.num("/journal/resumes"), 1) << stats_after.text();
  run->after = resumed_by + "; a new order accepted; stats journal.resumes " +
               std::to_string(stats_after.num("/journal/resumes"));

  Json hash(c.call(R"({"op":"state_hash"})"));
  ASSERT_TRUE(hash.ok()) << hash.text();
  // Seq: products, customer, PO-1, then PO-2 and PO-4 after the rollback.
  EXPECT_EQ(hash.num("/seq"), 5) << hash.text();
  run->hash = hash.str("/hash");
  run->hash_seq = hash.num("/seq");
}

// Stops the server and recovers its directory into a fresh engine: the same state as the
// server last reported.
void expect_directory_recovers(InProcessServer& server, const TempDir& dir, const FaultRun& run,
                               const std::string& fault) {
  std::string error;
  ASSERT_TRUE(server.stop(&error)) << error;
  Engine fresh;
  RecoveryReport report;
  ASSERT_TRUE(recover(posix_file_system(), dir.path(), RecoveryOptions{}, fresh, &report, &error))
      << error;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fresh.state_hash()));
  EXPECT_EQ(static_cast<int64_t>(report.last_seq), run.hash_seq);
  ASSERT_EQ(std::string(hex), run.hash);
  if (::testing::Test::HasFailure()) return;  // a row only for what was seen to work
  record_fault(kArea, fault,
               "server stopped, directory recovered into a fresh engine: seq " +
                   std::to_string(report.last_seq) +
                   ", state_hash equal to the server's last state_hash");
}

std::string observed(const FaultRun& run, const std::string& dir) {
  return scrub("in-flight order: " + run.in_flight + "; later changes (submit_order, set_clock): " +
                   run.refused + "; reads served; stats journal.failed true ('" + run.failure +
                   "'); snapshot INVALID_STATE; fault cleared: " + run.after,
               dir);
}

TEST(ServerFaults, FailedFsyncRefusesChangesUntilTheDiskRecovers) {
  TempDir dir("srvfault-fsync");
  FaultyFileSystem fs;
  InProcessServer server(dir.path(), &fs);
  ASSERT_TRUE(server.running());
  FaultRun run;
  ASSERT_NO_FATAL_FAILURE(run_fault(
      server, [&] { fs.fail_sync = true; }, [&] { fs.fail_sync = false; },
      /*resume_by_retry=*/false, &run));
  EXPECT_TRUE(run.failure.find("injected EIO") != std::string::npos) << run.failure;
  ASSERT_FALSE(HasFailure());
  record_fault(kArea, "fdatasync fails (EIO) while an order waits for durability; then it works",
               observed(run, dir.path()));
  expect_directory_recovers(server, dir, run,
                            "fdatasync failure, resume, stop: the data directory afterwards");
}

TEST(ServerFaults, FullDiskRefusesChangesUntilThereIsRoomAgain) {
  TempDir dir("srvfault-enospc");
  FaultyFileSystem fs;
  InProcessServer server(dir.path(), &fs);
  ASSERT_TRUE(server.running());
  FaultRun run;
  ASSERT_NO_FATAL_FAILURE(run_fault(
      server, [&] { fs.fail_append = true; }, [&] { fs.fail_append = false; },
      /*resume_by_retry=*/true, &run));
  EXPECT_TRUE(run.failure.find("ENOSPC") != std::string::npos) << run.failure;
  ASSERT_FALSE(HasFailure());
  record_fault(kArea,
               "disk full: a journal write stops halfway (ENOSPC) while an order waits for "
               "durability; then there is room",
               observed(run, dir.path()));
  expect_directory_recovers(server, dir, run,
                            "disk full (half-written batch), resume, stop: the data directory "
                            "afterwards");
}

// The other way out: the fault does not clear while the server runs. It stops (its final sync
// fails and says so), the disk is mended, and a restart recovers whatever the directory holds.
// The in-flight order was answered "may be lost", and that is the truth: only its fdatasync
// failed, so its bytes are in the file and the restart keeps it. Its client finds it by
// resubmitting with the same client_order_id (a duplicate answer) or by reading.
TEST(ServerFaults, RestartAfterAnUnclearedFaultRecoversWhatTheFileHolds) {
  TempDir dir("srvfault-restart");
  std::string in_flight, close_error;
  {
    FaultyFileSystem fs;
    InProcessServer server(dir.path(), &fs);
    ASSERT_TRUE(server.running());
    Client c(server.port());
    ASSERT_TRUE(c.connected());
    ASSERT_NO_FATAL_FAILURE(set_up_world(c));
    fs.fail_sync = true;
    Json answer(c.call(order("PO-2")));
    ASSERT_EQ(answer.code(), "UNAVAILABLE") << answer.text();
    in_flight = error_text(answer);
    ASSERT_FALSE(server.stop(&close_error));
    ASSERT_TRUE(close_error.find("injected EIO") != std::string::npos) << close_error;
  }
  FaultyFileSystem mended;
  InProcessServer server(dir.path(), &mended);
  ASSERT_TRUE(server.running());
  Client c(server.port());
  ASSERT_TRUE(c.connected());
  // Seq: product, customer, PO-1, PO-2.
  Json hash(c.call(R"({"op":"state_hash"})"));
  ASSERT_EQ(hash.num("/seq"), 4) << hash.text();
  Json product(c.call(R"({"op":"get_product","sku":"B"})"));
  ASSERT_EQ(product.num("/reserved"), 2) << product.text();
  Json again(c.call(order("PO-2")));
  ASSERT_TRUE(again.ok()) << again.text();
  ASSERT_TRUE(again.has("/duplicate")) << again.text();
  Json next(c.call(order("PO-3")));
  ASSERT_EQ(next.str("/status"), "accepted") << next.text();
  record_fault(
      kArea,
      "fdatasync fails (EIO) and does not clear before the server stops; restart "
      "with a working disk",
      scrub("in-flight order: " + in_flight + "; stop: closing the journal fails ('" + close_error +
                "'); restart recovers seq " + std::to_string(hash.num("/seq")) +
                ": the in-flight order is there (written, only its fdatasync failed), "
                "its resubmission answered as a duplicate; new orders accepted",
            dir.path()));
}

}  // namespace
}  // namespace credo::test

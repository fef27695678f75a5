// /metrics through the TCP `metrics` op (net/metrics.h) of the real credo-server: orders that
// are accepted, held and rejected move the counters they should, and the real
// `promtool check metrics` (Debian package prometheus) accepts the text.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "net/metrics.h"
#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/run_command.h"
#include "tests/common/server_process.h"
#include "tests/common/temp_dir.h"

namespace credo::test {
namespace {

// "name{labels}" -> value, from the sample lines of an exposition (comments skipped).
std::map<std::string, double> samples_of(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

// The value of a series, or -1 when absent.
double value(const std::map<std::string, double>& s, const std::string& series) {
  auto it = s.find(series);
  return it == s.end() ? -1 : it->second;
}

std::string fetch(Client& c) {
  Json m(c.call(R"({"id":"m","op":"metrics"})"));
  EXPECT_TRUE(m.ok()) << m.text();
  return m.str("/text");
}

class Metrics : public ::testing::Test {
 protected:
  ServerProcess server;
  Client admin{server.port()}, rep{server.port()}, credit{server.port()};

  void SetUp() override {
    ASSERT_TRUE(server.running());
    ASSERT_TRUE(admin.hello(kAdminKey));
    ASSERT_TRUE(rep.hello(kOrderKey));
    ASSERT_TRUE(credit.hello(kCreditKey));
    ASSERT_TRUE(Json(admin.call(
                         R"({"op":"upsert_product","sku":"BOLT","name":"Bolt M8","price":1000,"floor_price":800,"on_hand":1000})"))
                    .ok());
    // A small credit limit: an order beyond it is held (CREDIT_LIMIT).
    ASSERT_TRUE(Json(credit.call(
                         R"({"op":"upsert_customer","customer":"C1","name":"Acme","grade":"A","credit_limit":50000,"terms_days":30})"))
                    .ok());
  }
};

TEST_F(Metrics, OrdersMoveTheCountersAndPromtoolAcceptsTheText) {
  const auto before = samples_of(fetch(admin));
  EXPECT_EQ(value(before, R"(credo_orders_total{decision="accepted"})"), 0);

  // Two accepted, one held for the credit limit, one rejected for an unknown customer.
  for (int i = 0; i < 2; ++i) {
    Json a(rep.call(R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":1}]})"));
    ASSERT_EQ(a.str("/status"), "accepted") << a.text();
  }
  Json h(rep.call(R"({"op":"submit_order","customer":"C1","lines":[{"sku":"BOLT","qty":100}]})"));
  ASSERT_EQ(h.str("/status"), "held") << h.text();
  Json r(rep.call(R"({"op":"submit_order","customer":"NOBODY","lines":[{"sku":"BOLT","qty":1}]})"));
  ASSERT_EQ(r.str("/status"), "rejected") << r.text();
  // A quote decides nothing: not counted as an order. An error is counted by its code.
  Json q(rep.call(R"({"op":"quote","customer":"C1","lines":[{"sku":"BOLT","qty":1}]})"));
  ASSERT_TRUE(q.ok()) << q.text();
  Json bad(rep.call(R"({"op":"submit_order","customer":"C1","lines":[]})"));
  ASSERT_EQ(bad.code(), "BAD_REQUEST") << bad.text();
  Json forbidden(rep.call(R"({"op":"snapshot"})"));
  ASSERT_EQ(forbidden.code(), "FORBIDDEN") << forbidden.text();
  rep.call("not json");

  const std::string text = fetch(admin);
  const auto after = samples_of(text);
  EXPECT_EQ(value(after, R"(credo_orders_total{decision="accepted"})"), 2) << text;
  EXPECT_EQ(value(after, R"(credo_orders_total{decision="held"})"), 1);
  EXPECT_EQ(value(after, R"(credo_orders_total{decision="rejected"})"), 1);
  EXPECT_EQ(value(after, R"(credo_order_reasons_total{reason="CREDIT_LIMIT",effect="hold"})"), 1);
  EXPECT_EQ(value(after,
                  R"(credo_order_reasons_total{reason="UNKNOWN_CUSTOMER",effect="reject"})"),
            1);
  EXPECT_EQ(value(after, R"(credo_order_reasons_total{reason="OVERDUE",effect="hold"})"), 0);
  EXPECT_EQ(value(after, R"(credo_requests_total{protocol="tcp",op="submit_order",code="OK"})"),
            4);
  EXPECT_EQ(
      value(after, R"(credo_requests_total{protocol="tcp",op="submit_order",code="BAD_REQUEST"})"),
      1);
  EXPECT_EQ(value(after, R"(credo_requests_total{protocol="tcp",op="snapshot",code="FORBIDDEN"})"),
            1);
  EXPECT_EQ(value(after, R"(credo_requests_total{protocol="tcp",op="invalid",code="BAD_JSON"})"),
            1);
  EXPECT_EQ(value(after, R"(credo_requests_total{protocol="tcp",op="quote",code="OK"})"), 1);
  // The first fetch was answered before the second was rendered.
  EXPECT_EQ(value(after, R"(credo_requests_total{protocol="tcp",op="metrics",code="OK"})"), 1);
  // End-to-end and engine latency: the four successful submits and the bad one were timed.
  EXPECT_EQ(value(after, R"(credo_request_duration_seconds_count{op="submit_order"})"), 5);
  EXPECT_EQ(value(after, R"(credo_request_duration_seconds_bucket{op="submit_order",le="+Inf"})"),
            5);
  EXPECT_GT(value(after, R"(credo_request_duration_seconds_sum{op="submit_order"})"), 0);
  EXPECT_GE(value(after, R"(credo_engine_duration_seconds_count{op="submit_order"})"), 4);
  // The stall detector: every engine step (the setup's upserts, the orders, the quote...), in
  // power-of-two buckets whose +Inf bucket is the count; the longest step is one of them.
  EXPECT_GE(value(after, "credo_engine_step_duration_seconds_count"), 6);
  EXPECT_EQ(value(after, R"(credo_engine_step_duration_seconds_bucket{le="+Inf"})"),
            value(after, "credo_engine_step_duration_seconds_count"));
  EXPECT_GT(value(after, "credo_engine_step_max_seconds"), 0);
  // State: the start's set_policy (--order-retention-days), upsert_product, upsert_customer,
  // 4 orders (rejected ones are journaled too).
  EXPECT_EQ(value(after, "credo_commands_applied_total"), 7);
  EXPECT_EQ(value(after, "credo_applied_seq"), 7);
  EXPECT_EQ(value(after, "credo_durable_seq"), 7);
  EXPECT_EQ(value(after, "credo_orders_archived_total"), 0);
  EXPECT_EQ(value(after, R"(credo_connections{protocol="tcp"})"), 3);
  EXPECT_EQ(value(after, R"(credo_connections_accepted_total{protocol="tcp"})"), 3);
  EXPECT_EQ(value(after, R"(credo_connections{protocol="http"})"), 0);
  EXPECT_EQ(value(after, "credo_journal_failed"), 0);
  EXPECT_GT(value(after, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(value(after, "process_open_fds"), 3);
  EXPECT_GT(value(after, "process_start_time_seconds"), 1.6e9);
  EXPECT_GE(value(after, "process_cpu_seconds_total"), 0);

  // The real Prometheus tool checks the format and its naming conventions.
  TempDir dir("metrics");
  const std::string file = dir.path() + "/metrics.txt";
  std::ofstream(file) << text;
  RunResult check = run_command("promtool check metrics < '" + file + "' 2>&1");
  EXPECT_EQ(check.exit_code, 0) << check.out << "\n" << text;
  EXPECT_EQ(check.out, "") << check.out;
}

// With a journal (--data, fsync): every fdatasync is timed and every batch sized, and the two
// histograms agree with the journal's counters.
TEST(MetricsJournal, FsyncLatencyAndBatchSizeHistogramsMatchTheCounters) {
  TempDir data("metrics-data");
  ServerProcess server({"--data", data.path(), "--durability", "fsync"});
  ASSERT_TRUE(server.running());
  Client admin(server.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  for (int i = 0; i < 20; ++i) {
    Json c(admin.call(R"({"op":"upsert_customer","customer":"C)" + std::to_string(i) +
                      R"(","name":"Acme","grade":"A","credit_limit":50000,"terms_days":30})"));
    ASSERT_TRUE(c.ok()) << c.text();
  }
  const std::string text = fetch(admin);
  const auto m = samples_of(text);
  const double syncs = value(m, "credo_journal_syncs_total");
  const double batches = value(m, "credo_journal_batches_total");
  EXPECT_GE(syncs, 1) << text;
  EXPECT_EQ(value(m, "credo_journal_fsync_duration_seconds_count"), syncs) << text;
  EXPECT_EQ(value(m, R"(credo_journal_fsync_duration_seconds_bucket{le="+Inf"})"), syncs);
  EXPECT_GE(value(m, "credo_journal_fsync_duration_seconds_sum"), 0);
  EXPECT_EQ(value(m, "credo_journal_batch_records_count"), batches);
  // Every record is in exactly one batch: the sizes add up to the records appended.
  EXPECT_EQ(value(m, "credo_journal_batch_records_sum"), value(m, "credo_journal_records_total"));
  EXPECT_GE(value(m, "credo_journal_records_total"), 20);
  // Buckets are cumulative: a batch of one record is under le="1", all are under +Inf.
  EXPECT_LE(value(m, R"(credo_journal_batch_records_bucket{le="1"})"), batches);
  TempDir dir("metrics");
  const std::string file = dir.path() + "/metrics.txt";
  std::ofstream(file) << text;
  RunResult check = run_command("promtool check metrics < '" + file + "' 2>&1");
  EXPECT_EQ(check.exit_code, 0) << check.out << "\n" << text;
  EXPECT_EQ(check.out, "") << check.out;
}

TEST_F(Metrics, NeedsHello) {
  Client c(server.port());
  EXPECT_EQ(Json(c.call(R"({"op":"metrics"})")).code(), "UNAUTHENTICATED");
}

TEST_F(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(net::escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(net::escape_label_value("submit_order"), "submit_order");
}

TEST_F(Metrics, PromtoolRejectsABrokenExposition) {
  // The check above can fail: promtool refuses a counter without _total and a malformed line.
  TempDir dir("metrics-bad");
  const std::string file = dir.path() + "/bad.txt";
  std::ofstream(file) << "# HELP credo_x things\n# TYPE credo_x counter\ncredo_x{a=\"b} 1\n";
  RunResult check = run_command("promtool check metrics < '" + file + "' 2>&1");
  EXPECT_NE(check.exit_code, 0) << check.out;
}

}  // namespace
}  // namespace credo::test

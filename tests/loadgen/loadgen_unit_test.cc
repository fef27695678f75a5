// The load generator's own arithmetic: histogram accuracy, the answer scanner, the report's
// JSON escaper and its verdict on a run of refusals.
#include <gtest/gtest.h>

#include "tools/loadgen/histogram.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/wire.h"
#include "tools/loadgen/workload.h"

namespace credo::loadgen {
namespace {

TEST(Histogram, EveryValueIsWithinOnePercentOfItsBucketsTop) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 129ull, 1000ull, 123456ull, 999'999'999ull,
                     (1ull << 62) + 12345}) {
    uint64_t top = Histogram::highest_of(Histogram::bucket_of(v));
    EXPECT_GE(top, v);
    EXPECT_LE(top - v, v / 128 + 1) << v;
  }
}

TEST(Histogram, PercentilesOfAUniformSpread) {
  Histogram h;
  for (uint64_t v = 1; v <= 100'000; v++) h.record(v * 1000);
  EXPECT_NEAR(h.percentile_ns(0.50), 50'000'000.0, 50'000'000.0 / 100);
  EXPECT_NEAR(h.percentile_ns(0.99), 99'000'000.0, 99'000'000.0 / 100);
  EXPECT_EQ(h.percentile_ns(1.0), 100'000'000u);
  EXPECT_EQ(h.max_ns(), 100'000'000u);
  Histogram other;
  other.record(5);
  h.merge(other);
  EXPECT_EQ(h.count(), 100'001u);
  EXPECT_EQ(h.min_ns(), 5u);
}

TEST(Wire, ScansDecisionsOrderNumbersAndErrors) {
  Answer a;
  ASSERT_TRUE(parse_credo_answer(
      R"({"ok":true,"status":"accepted","order_no":100042,"customer":"C1","reasons":[],"lines":[]})",
      &a));
  EXPECT_TRUE(a.ok);
  EXPECT_EQ(a.accepted, 1u);
  ASSERT_EQ(a.accepted_order_nos.size(), 1u);
  EXPECT_EQ(a.accepted_order_nos[0], 100042u);

  ASSERT_TRUE(parse_credo_answer(
      R"({"ok":true,"results":[{"ok":true,"status":"held","order_no":1},{"ok":false,"error":{"code":"BAD_REQUEST","message":"x"}},{"ok":true,"status":"rejected","order_no":3}]})",
      &a));
  EXPECT_EQ(a.held, 1u);
  EXPECT_EQ(a.rejected, 1u);
  EXPECT_EQ(a.item_errors, 1u);
  EXPECT_EQ(a.error_code, "BAD_REQUEST");

  ASSERT_TRUE(
      parse_credo_answer(R"({"ok":false,"error":{"code":"OVERLOADED","message":"x"}})", &a));
  EXPECT_FALSE(a.ok);
  EXPECT_EQ(a.error_code, "OVERLOADED");
  EXPECT_FALSE(parse_credo_answer("garbage", &a));
}

TEST(Wire, ParsesRespRepliesAndWaitsForWholeOnes) {
  RespReply r;
  EXPECT_EQ(parse_resp("$8\r\nA:100042\r\n", &r), 14);
  Answer a;
  ASSERT_TRUE(redis_order_answer(r, &a));
  EXPECT_EQ(a.accepted, 1u);
  EXPECT_EQ(a.accepted_order_nos.at(0), 100042u);
  EXPECT_EQ(parse_resp("$8\r\nA:10", &r), 0);
  EXPECT_EQ(parse_resp("*2\r\n:1\r\n+OK\r\n", &r), 13);
  EXPECT_EQ(parse_resp("-ERR no\r\n", &r), 9);
  ASSERT_TRUE(redis_order_answer(r, &a));
  EXPECT_FALSE(a.ok);
  EXPECT_EQ(a.error_code, "ERR");
}

TEST(Workload, MixAndSharesAreHonoured) {
  WorkloadConfig c;
  std::string error;
  ASSERT_TRUE(parse_mix("orders=80,quotes=20", &c.mix, &error));
  EXPECT_FALSE(parse_mix("orders=80,bogus=1", &c.mix, &error));
  c.limit_pct = 50;
  c.run_tag.push_back('t');  // (assigning a literal trips a GCC 12 -Wrestrict false positive)
  Workload w(c, 0);
  int quotes = 0, tight = 0;
  Order o;
  for (int i = 0; i < 10'000; i++) {
    if (w.next_kind() == OpKind::quote) quotes++;
    w.next_order(&o);
    if (o.tight) tight++;
    ASSERT_EQ(o.lines.size(), 3u);
  }
  EXPECT_NEAR(quotes, 2000, 300);
  EXPECT_NEAR(tight, 5000, 400);
}

TEST(RefusedShare, ARunOfRejectionsAndErrorsIsOverTheLimitAndANormalRunIsNot) {
  RunResult no_dataset;  // no --setup: every customer unknown
  no_dataset.orders = 1000;
  no_dataset.rejected = 950;
  no_dataset.errors = 60;
  EXPECT_GT(refused_share(no_dataset), kRefusedShareMax);
  RunResult all_errors;
  all_errors.errors = 10;
  EXPECT_DOUBLE_EQ(refused_share(all_errors), 1.0);
  RunResult normal;  // the default mix: a few percent held or rejected
  normal.orders = 1000;
  normal.accepted = 920;
  normal.held = 60;
  normal.rejected = 20;
  EXPECT_NEAR(refused_share(normal), 0.02, 1e-9);
  EXPECT_EQ(refused_share(RunResult{}), 0.0);
}

}  // namespace
}  // namespace credo::loadgen

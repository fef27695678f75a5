// The daily report read: one order a day for 10 years (3,650 days with a row), then
// daily_report for each of those days in turn. Measures the cost of finding a day's row
// (an index into a dense table before; a binary search of the sparse rows now).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "engine/command.h"
#include "engine/engine.h"
#include "engine/result.h"
#include "engine/types.h"

namespace credo {
namespace {

constexpr TimeMs kStart = 1'795'428'000'000;  // 2026-11-23T10:00:00Z
constexpr int kDays = 3'650;

Principal principal(const char* name, uint8_t roles, uint8_t level) {
  Principal p;
  p.name = Key::of(name);
  p.roles = roles;
  p.level = level;
  return p;
}

void must(Engine& e, Command& c, uint64_t& seq) {
  Result r;
  c.seq = ++seq;
  e.apply(c, r);
  if (!r.ok()) {
    std::fprintf(stderr, "setup command failed: %s\n", r.error.message.c_str());
    std::abort();
  }
}

void BM_DailyReport(benchmark::State& state) {
  Engine e;
  uint64_t seq = 0;
  Command c;
  c.at = kStart;
  c.by = principal("bench-admin", kRoleAdmin, 3);
  UpsertProduct p;
  p.sku = Key::of("BOLT");
  p.price = 1'000;
  p.floor_price = 500;
  p.on_hand = 1'000'000;
  c.body = p;
  must(e, c, seq);
  UpsertCustomer u;
  u.customer = Key::of("C1");
  u.grade = Grade::A;
  u.credit_limit = 1'000'000'000'000;
  u.terms_days = 30;
  c.body = u;
  must(e, c, seq);
  c.by = principal("bench-rep", kRoleOrder, 3);
  SubmitOrder s;
  s.order.customer = Key::of("C1");
  s.order.lines.push_back(LineRequest{});
  s.order.lines[0].sku = Key::of("BOLT");
  s.order.lines[0].qty = 1;
  c.body = s;
  for (int d = 0; d < kDays; ++d) {
    c.at = kStart + d * kMsPerDay;
    must(e, c, seq);
  }
  Query q;
  q.at = c.at;
  q.by = principal("bench-fin", kRoleFinance, 2);
  const Day first = day_of(kStart);
  Result r;
  int i = 0;
  for (auto _ : state) {
    q.body = DailyReportQuery{first + i};
    e.query(q, r);
    benchmark::DoNotOptimize(r);
    i = i + 1 == kDays ? 0 : i + 1;
  }
  if (std::get<DailyReportView>(r.body).by_status[static_cast<int>(OrderStatus::accepted)].count !=
      1)
    state.SkipWithError("a day's report does not count its order");
}
BENCHMARK(BM_DailyReport);

}  // namespace
}  // namespace credo

BENCHMARK_MAIN();

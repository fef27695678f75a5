// list_orders (the order ledger), one page of 100 rows, in a world of 1,000,000 customers and
// 10,000,000 orders over 100 days (CREDO_BENCH_ORDERS changes the order count). Built once,
// outside the timing (~1 minute and ~5 GB for the full size). Results: bench/README.md,
// "Queries".
//
// What each case shows: a page costs what it returns, not what the ledger holds. "all" starts
// at a random cursor; "customer" walks one customer's ~10 orders; "from_to" binary-searches a
// day; "status_rare" examines the 10,000-row cap without a match (the worst page: a filter the
// indexes do not serve).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "engine/command.h"
#include "engine/engine.h"
#include "engine/result.h"
#include "engine/types.h"

namespace credo {
namespace {

constexpr uint64_t kCustomers = 1'000'000;
constexpr uint64_t kDefaultOrders = 10'000'000;
constexpr int kProducts = 1'000;
constexpr int kDays = 100;
constexpr TimeMs kStart = 1'795'428'000'000;  // 2026-11-23T10:00:00Z

Principal principal(const char* name, uint8_t roles) {
  Principal p;
  p.name = Key::of(name);
  p.roles = roles;
  p.level = 3;
  return p;
}

Key numbered_key(const char* prefix, uint64_t n) {
  char buf[32];
  const int len =
      std::snprintf(buf, sizeof buf, "%s%08llu", prefix, static_cast<unsigned long long>(n));
  return Key::of(std::string_view(buf, static_cast<std::size_t>(len)));
}

uint64_t order_count() {
  const char* env = std::getenv("CREDO_BENCH_ORDERS");
  return env ? std::strtoull(env, nullptr, 10) : kDefaultOrders;
}

struct World {
  Engine engine;
  uint64_t orders = 0;
  TimeMs end = kStart;

  World() {
    orders = order_count();
    engine.reserve(orders);
    Result r;
    Command c;
    c.at = kStart;
    c.by = principal("ops", kRoleAdmin);
    for (int p = 0; p < kProducts; ++p) {
      UpsertProduct u;
      u.sku = numbered_key("P", static_cast<uint64_t>(p));
      u.price = 1'000 + p;
      u.on_hand = INT64_MAX / 2;
      c.body = u;
      engine.apply(c, r);
    }
    for (uint64_t i = 0; i < kCustomers; ++i) {
      UpsertCustomer u;
      u.customer = numbered_key("C", i);
      u.grade = Grade::A;
      u.credit_limit = INT64_MAX / 4;
      c.body = u;
      engine.apply(c, r);
    }
    // Orders in batches of 10,000, the clock moving through kDays days; two submitters.
    const uint64_t per_day = orders / kDays + 1;
    SubmitOrders batch;
    batch.orders.resize(10'000);
    for (auto& o : batch.orders) o.lines.emplace_back();
    uint64_t made = 0;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    while (made < orders) {
      const uint64_t n = std::min<uint64_t>(batch.orders.size(), orders - made);
      batch.orders.resize(n);
      for (uint64_t i = 0; i < n; ++i) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        OrderRequest& o = batch.orders[i];
        o.customer = numbered_key("C", (rng >> 20) % kCustomers);
        o.ship_by = static_cast<Day>(day_of(c.at) + 5);
        o.lines[0].sku = numbered_key("P", (rng >> 40) % kProducts);
        o.lines[0].qty = 1 + static_cast<Qty>((rng >> 50) % 5);
      }
      c.at = kStart + static_cast<TimeMs>(made / per_day) * kMsPerDay;
      c.by = principal(made % 20'000 < 10'000 ? "rep0" : "rep1", kRoleOrder);
      c.body = batch;
      engine.apply(c, r);
      made += n;
    }
    end = c.at;
  }
};

World& world() {
  static const std::unique_ptr<World> w = std::make_unique<World>();
  return *w;
}

void run(benchmark::State& state, const ListOrders& base, bool random_cursor) {
  World& w = world();
  Query q;
  q.at = w.end;
  q.by = principal("wh", kRoleWarehouse);
  Result r;
  uint64_t rng = 12345;
  uint64_t rows = 0;
  for (auto _ : state) {
    ListOrders lo = base;
    if (random_cursor) {
      rng = rng * 6364136223846793005ull + 1442695040888963407ull;
      lo.cursor = Key::of("o" + std::to_string((rng >> 20) % w.orders));
    }
    q.body = lo;
    w.engine.query(q, r);
    if (!r.ok()) state.SkipWithError(r.error.message.c_str());
    rows += std::get<OrderList>(r.body).orders.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["rows/page"] = static_cast<double>(rows) / static_cast<double>(state.iterations());
  state.counters["orders"] = static_cast<double>(w.orders);
}

void BM_ListOrders_All(benchmark::State& state) {
  run(state, ListOrders{}, true);
}
BENCHMARK(BM_ListOrders_All);

void BM_ListOrders_Customer(benchmark::State& state) {
  ListOrders q;
  q.customer = numbered_key("C", 777);
  run(state, q, false);
}
BENCHMARK(BM_ListOrders_Customer);

void BM_ListOrders_FromTo(benchmark::State& state) {
  ListOrders q;
  q.from = day_of(kStart) + 50;
  q.to = day_of(kStart) + 50;
  run(state, q, false);
}
BENCHMARK(BM_ListOrders_FromTo);

void BM_ListOrders_StatusRare(benchmark::State& state) {
  ListOrders q;
  q.status = "cancelled";
  run(state, q, true);
}
BENCHMARK(BM_ListOrders_StatusRare);

}  // namespace
}  // namespace credo

BENCHMARK_MAIN();

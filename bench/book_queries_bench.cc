// The issue-14 query benchmark (bench/README.md, "Queries on a big book"): list_orders and
// open_items pages and aging as_of, on one book of CREDO_BENCH_CUSTOMERS customers (default
// 1,000,000) and CREDO_BENCH_ORDERS orders (default 10,000,000) submitted over 100 days with
// every payment term (credit 80 %, cod 10 %, deposit 10 %), a quarter of them shipped the day
// they were submitted, and one payment for every tenth customer. Queries are asked 40 days
// after the last order, on the engine thread as the server asks them (between commands): the
// worst single call is the longest stall order flow would see.
//
// Not a Google Benchmark: each query is timed call by call (steady_clock) and the table gives
// the median, the 99th percentile and the maximum, which a mean would hide.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "engine/command.h"
#include "engine/engine.h"
#include "engine/result.h"
#include "engine/types.h"

namespace credo {
namespace {

constexpr TimeMs kStart = 1'795'428'000'000;  // 2026-11-23T10:00:00Z
constexpr int kProducts = 1'000;
constexpr int kDays = 100;

uint64_t env(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

Principal principal(const char* name, uint8_t roles) {
  Principal p;
  p.name = Key::of(name);
  p.roles = roles;
  p.level = 3;
  return p;
}

Key numbered(const char* prefix, uint64_t n) {
  char buf[32];
  const int len =
      std::snprintf(buf, sizeof buf, "%s%08llu", prefix, static_cast<unsigned long long>(n));
  return Key::of(std::string_view(buf, static_cast<std::size_t>(len)));
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

struct Book {
  Engine engine;
  uint64_t customers = 0, orders = 0, shipped = 0;
  TimeMs now = kStart;
  uint64_t seq = 0;
  Result r;

  void apply(const Principal& by, CommandBody body) {
    Command c;
    c.seq = ++seq;
    c.at = now;
    c.by = by;
    c.body = std::move(body);
    engine.apply(c, r);
  }

  void build() {
    customers = env("CREDO_BENCH_CUSTOMERS", 1'000'000);
    orders = env("CREDO_BENCH_ORDERS", 10'000'000);
    engine.reserve(orders);
    const Principal admin = principal("ops", kRoleAdmin);
    for (int p = 0; p < kProducts; ++p) {
      UpsertProduct u;
      u.sku = numbered("P", static_cast<uint64_t>(p));
      u.price = 1'000 + p;
      u.on_hand = INT64_MAX / 2;
      apply(admin, u);
    }
    for (uint64_t i = 0; i < customers; ++i) {
      UpsertCustomer u;
      u.customer = numbered("C", i);
      u.grade = i % 2 ? Grade::A : Grade::B;
      u.credit_limit = INT64_MAX / 4;
      apply(admin, u);
    }
    const uint64_t per_day = orders / kDays + 1;
    SubmitOrders batch;
    uint64_t made = 0;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    const Principal rep = principal("rep0", kRoleOrder);
    const Principal wh = principal("wh", kRoleWarehouse);
    while (made < orders) {
      const uint64_t n = std::min<uint64_t>(10'000, orders - made);
      batch.orders.assign(n, OrderRequest{});
      for (uint64_t i = 0; i < n; ++i) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        OrderRequest& o = batch.orders[i];
        o.customer = numbered("C", (rng >> 20) % customers);
        const uint64_t term = (rng >> 10) % 10;
        o.payment = term == 0 ? PaymentTerms::cod
                    : term == 1 ? PaymentTerms::deposit
                                : PaymentTerms::credit;
        o.ship_by = static_cast<Day>(day_of(now) + 5);
        o.lines.push_back(LineRequest{numbered("P", (rng >> 40) % kProducts),
                                      1 + static_cast<Qty>((rng >> 50) % 5), {}});
      }
      now = kStart + static_cast<TimeMs>(made / per_day) * kMsPerDay;
      apply(rep, batch);
      // A quarter of the credit and cod orders ship the day they were submitted (a deposit
      // order would wait for its deposit).
      for (uint64_t i = 0; i < n; i += 4)
        if (batch.orders[i].payment != PaymentTerms::deposit) {
          apply(wh, Ship{100'001 + made + i, {}});  // the first order is 100001
          shipped += r.ok();
        }
      made += n;
    }
    const Principal fin = principal("fin", kRoleFinance);
    for (uint64_t c = 0; c < customers; c += 10)
      apply(fin, RecordPayment{numbered("C", c), 5'000, numbered("R", c)});
    now += 40 * kMsPerDay;
  }
};

struct Stats {
  double median_us = 0, p99_us = 0, max_us = 0;
  double cpu_max_us = 0;  // the thread's CPU time: the call's own work, without preemption
};

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

Stats time_calls(int calls, const std::function<void(int)>& call) {
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(calls));
  double cpu_max = 0;
  for (int i = 0; i < calls; ++i) {
    const auto t = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_us();
    call(i);
    cpu_max = std::max(cpu_max, thread_cpu_us() - c0);
    us.push_back(seconds_since(t) * 1e6);
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100], us.back(), cpu_max};
}

}  // namespace
}  // namespace credo

int main() {
  using namespace credo;
  static Book b;  // static: the book outlives main's stack (gigabytes at the full size)
  const auto t0 = std::chrono::steady_clock::now();
  b.build();
  std::printf("book: %llu customers, %llu orders, %llu shipped; built in %.0f s\n",
              static_cast<unsigned long long>(b.customers),
              static_cast<unsigned long long>(b.orders),
              static_cast<unsigned long long>(b.shipped), seconds_since(t0));
  Query q;
  q.at = b.now;
  q.by = principal("fin", kRoleFinance | kRoleOrder | kRoleWarehouse);
  Result r;
  uint64_t rng = 12345;
  auto next = [&](uint64_t mod) {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (rng >> 20) % mod;
  };
  const int calls = static_cast<int>(env("CREDO_BENCH_CALLS", 2'000));
  struct Case {
    const char* name;
    std::function<void(int)> call;
  };
  const Case cases[] = {
      {"list_orders page (100, random cursor)",
       [&](int) {
         ListOrders lo;
         lo.cursor = Key::of("o" + std::to_string(next(b.orders)));
         q.body = lo;
         b.engine.query(q, r);
       }},
      {"list_orders one customer",
       [&](int) {
         ListOrders lo;
         lo.customer = numbered("C", next(b.customers));
         q.body = lo;
         b.engine.query(q, r);
       }},
      {"list_orders status=held (cap 10,000 examined)",
       [&](int) {
         ListOrders lo;
         lo.status = "held";
         lo.cursor = Key::of("o" + std::to_string(next(b.orders)));
         q.body = lo;
         b.engine.query(q, r);
       }},
      {"open_items page (100, from a random customer)",
       [&](int) {
         OpenItemsQuery oq;
         oq.cursor = Key::of(std::to_string(next(b.customers)));
         q.body = oq;
         b.engine.query(q, r);
       }},
      {"open_items page (1,000)",
       [&](int) {
         OpenItemsQuery oq;
         oq.limit = 1'000;
         oq.cursor = Key::of(std::to_string(next(b.customers)));
         q.body = oq;
         b.engine.query(q, r);
       }},
      {"aging as_of a past day (one customer)",
       [&](int) {
         AgingQuery aq;
         aq.customer = numbered("C", next(b.customers));
         aq.as_of = day_of(kStart) + 50;
         q.body = aq;
         b.engine.query(q, r);
       }},
      {"aging as_of today (one customer)",
       [&](int) {
         AgingQuery aq;
         aq.customer = numbered("C", next(b.customers));
         aq.as_of = day_of(b.now);
         q.body = aq;
         b.engine.query(q, r);
       }},
  };
  std::printf(
      "| query | median | p99 | max (wall) | max (CPU) |\n|---|---:|---:|---:|---:|\n");
  for (const Case& c : cases) {
    const Stats s = time_calls(calls, c.call);
    if (!r.ok()) std::printf("  (last call failed: %s)\n", r.error.message.c_str());
    std::printf("| %s | %.1f µs | %.1f µs | %.1f µs | %.1f µs |\n", c.name, s.median_us,
                s.p99_us, s.max_us, s.cpu_max_us);
  }
  return 0;
}

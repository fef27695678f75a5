// Receivables reads on a big book: an open_items page and a per-customer aging as of a past
// day (bench/README.md "queries"). The book is built once: CREDO_BENCH_CUSTOMERS customers
// (default 100,000), each with CREDO_BENCH_INVOICES shipped orders (default 10) a day apart
// and a payment settling about half of them, so every customer has history to walk.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "engine/command.h"
#include "engine/engine.h"
#include "engine/result.h"

namespace credo {
namespace {

constexpr TimeMs kStart = 1'795'428'000'000;  // 2026-11-23T10:00:00Z

Principal principal(const char* name, uint8_t roles, uint8_t level) {
  Principal p;
  p.name = Key::of(name);
  p.roles = roles;
  p.level = level;
  return p;
}
Key numbered(const char* prefix, uint64_t n) {
  char buf[32];
  const int len = std::snprintf(buf, sizeof buf, "%s%09llu", prefix,
                                static_cast<unsigned long long>(n));
  return Key::of(std::string_view(buf, static_cast<std::size_t>(len)));
}
uint64_t env(const char* name, uint64_t def) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : def;
}

struct Book {
  Engine engine;
  uint64_t customers = 0;
  uint64_t invoices = 0;
  TimeMs now = kStart;
};

Book& book() {
  static std::unique_ptr<Book> b = [] {
    auto bk = std::make_unique<Book>();
    bk->customers = env("CREDO_BENCH_CUSTOMERS", 100'000);
    const uint64_t per = env("CREDO_BENCH_INVOICES", 10);
    Engine& e = bk->engine;
    Result r;
    uint64_t seq = 0;
    auto apply = [&](const Principal& by, CommandBody body) {
      Command c;
      c.seq = ++seq;
      c.at = bk->now;
      c.by = by;
      c.body = std::move(body);
      e.apply(c, r);
      if (!r.ok()) std::abort();
    };
    const Principal admin = principal("ops", kRoleAdmin, 3);
    UpsertProduct p;
    p.sku = Key::of("BOLT");
    p.price = 1'000;
    p.on_hand = 1'000'000'000'000;
    apply(admin, p);
    for (uint64_t c = 0; c < bk->customers; ++c) {
      UpsertCustomer u;
      u.customer = numbered("C", c);
      u.grade = Grade::A;
      u.credit_limit = 1'000'000'000'000;
      apply(admin, u);
    }
    e.reserve(bk->customers * per);
    OrderNo next = 100'001;
    for (uint64_t day = 0; day < per; ++day) {
      for (uint64_t c = 0; c < bk->customers; ++c) {
        SubmitOrder s;
        s.order.customer = numbered("C", c);
        s.order.lines.push_back(LineRequest{Key::of("BOLT"), 1 + static_cast<Qty>(c % 7), {}});
        apply(admin, s);
        apply(admin, Ship{next++, {}});
      }
      bk->now += kMsPerDay;
    }
    for (uint64_t c = 0; c < bk->customers; ++c)
      apply(admin, RecordPayment{numbered("C", c), static_cast<Money>(per) * 2'000,
                                 numbered("P", c)});
    bk->invoices = bk->customers * per;
    bk->now += 40 * kMsPerDay;
    return bk;
  }();
  return *b;
}

void BM_OpenItemsPage(benchmark::State& state) {
  Book& b = book();
  Query q;
  q.at = b.now;
  q.by = principal("rep", kRoleOrder, 0);
  OpenItemsQuery oq;
  oq.limit = static_cast<uint32_t>(state.range(0));
  // A page from the middle of the book.
  oq.cursor = Key::of(std::to_string(b.customers / 2));
  q.body = oq;
  Result r;
  for (auto _ : state) {
    b.engine.query(q, r);
    benchmark::DoNotOptimize(r);
  }
  state.counters["customers"] = static_cast<double>(b.customers);
  state.counters["invoices"] = static_cast<double>(b.invoices);
}
BENCHMARK(BM_OpenItemsPage)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_AgingAsOfPastDay(benchmark::State& state) {
  Book& b = book();
  Query q;
  q.at = b.now;
  q.by = principal("rep", kRoleOrder, 0);
  AgingQuery aq;
  aq.as_of = day_of(kStart) + 5;
  uint64_t c = 0;
  Result r;
  for (auto _ : state) {
    aq.customer = numbered("C", c);
    c = (c + 7919) % b.customers;
    q.body = aq;
    b.engine.query(q, r);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_AgingAsOfPastDay)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace credo

BENCHMARK_MAIN();

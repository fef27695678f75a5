// The engine alone, on one timed thread: decide+apply of orders of 1, 3 and 10 lines (one at a
// time, and 3 lines in batches with and without the cache hints), a 3-line quote, a payment and
// a shipment, in a world of 100,000 customers and 10,000 products. Beside it runs the prefault
// thread a server runs (engine/prefault_thread.h). The targets (the project's target): a 3-line
// order in <= 250 ns median, >= 4 M orders/s. Results: bench/README.md.
//
// Each benchmark reuses one Command and one Result, so the steady state allocates nothing; ids
// that must differ per iteration (client_order_id, payment_ref) are counters incremented in
// place inside the Key. Setup (the world, orders to ship, invoices to pay) is outside the
// timing; PauseTiming is used only to refill the stock of orders to ship, every 65,536
// iterations.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"
#include "engine/engine.h"
#include "engine/huge_alloc.h"
#include "engine/prefault_thread.h"
#include "engine/result.h"
#include "engine/types.h"

namespace credo {
namespace {

constexpr int kCustomers = 100'000;
constexpr int kProducts = 10'000;
constexpr Qty kStockPerProduct = 1'000'000'000;    // never runs out within a run
constexpr Money kCreditLimit = 1'000'000'000'000;  // 10 billion: every order is accepted
constexpr TimeMs kStart = 1'795'428'000'000;       // 2026-11-23T10:00:00Z

Principal principal(const char* name, uint8_t roles, uint8_t level) {
  Principal p;
  p.name = Key::of(name);
  p.roles = roles;
  p.level = level;
  return p;
}

Key numbered_key(const char* prefix, uint64_t n) {
  char buf[32];
  const int len =
      std::snprintf(buf, sizeof buf, "%s%08llu", prefix, static_cast<unsigned long long>(n));
  return Key::of(std::string_view(buf, static_cast<std::size_t>(len)));
}

// A Key ending in a 12-digit decimal counter, incremented in place: a fresh id per iteration
// for the price of a few byte writes.
class CounterKey {
 public:
  explicit CounterKey(const char* prefix) {
    char buf[32];
    const int len = std::snprintf(buf, sizeof buf, "%s000000000000", prefix);
    key_ = Key::of(std::string_view(buf, static_cast<std::size_t>(len)));
  }
  const Key& next() {
    for (int i = key_.len - 1; i >= 0; --i) {
      if (key_.data[i] != '9') {
        ++key_.data[i];
        break;
      }
      key_.data[i] = '0';
    }
    return key_;
  }

 private:
  Key key_;
};

// The world: customers in good standing with high limits, products with huge stock, and the
// principals of each role.
class World {
 public:
  World() {
    customers_.reserve(kCustomers);
    skus_.reserve(kProducts);
    Command c;
    c.at = kStart;
    c.by = admin_;
    for (int i = 0; i < kProducts; ++i) {
      skus_.push_back(numbered_key("SKU-", static_cast<uint64_t>(i)));
      UpsertProduct u;
      u.sku = skus_.back();
      u.price = 1'000 + i % 5'000;
      u.floor_price = 500;
      u.on_hand = kStockPerProduct;
      c.body = u;
      apply(c);
    }
    for (int i = 0; i < kCustomers; ++i) {
      customers_.push_back(numbered_key("CUST-", static_cast<uint64_t>(i)));
      UpsertCustomer u;
      u.customer = customers_.back();
      u.grade = Grade::A;
      u.credit_limit = kCreditLimit;
      u.terms_days = 30;
      c.body = u;
      apply(c);
    }
    // Pre-fault room for the orders a run records (Engine::reserve); credo-server gets the same
    // from its prefault thread, ahead of need (docs/limits.md "Business state"): on this VM
    // first-touch of new memory costs more than deciding an order.
    // CREDO_BENCH_RESERVE=0 measures cold growth instead.
    const char* env = std::getenv("CREDO_BENCH_RESERVE");
    engine_.reserve(env ? std::strtoull(env, nullptr, 10) : 1'000'000);
  }

  void apply(Command& c) {
    c.seq = ++seq_;
    engine_.apply(c, result_);
    if (!result_.ok()) {
      std::fprintf(stderr, "setup command failed: %s %s\n", to_string(result_.error.code),
                   result_.error.message.c_str());
      std::abort();
    }
  }

  // An order of `lines` lines for customer i, reusing `req`'s vector.
  void fill_order(OrderRequest& req, uint64_t i, int lines) const {
    req.customer = customers_[i % kCustomers];
    req.lines.resize(static_cast<std::size_t>(lines));
    for (int j = 0; j < lines; ++j) {
      LineRequest& l = req.lines[static_cast<std::size_t>(j)];
      l.sku = skus_[(i * static_cast<uint64_t>(lines) + static_cast<uint64_t>(j)) % kProducts];
      l.qty = 1 + static_cast<Qty>(j % 3);
      l.unit_price.reset();
    }
  }

  // Submits `n` accepted orders of `lines` lines (outside the timing) and returns their numbers.
  std::vector<OrderNo> make_orders(uint64_t first_customer, int n, int lines) {
    std::vector<OrderNo> out;
    out.reserve(static_cast<std::size_t>(n));
    Command c;
    c.at = kStart;
    c.by = rep_;
    c.body = SubmitOrder{};
    OrderRequest& req = std::get<SubmitOrder>(c.body).order;
    for (int k = 0; k < n; ++k) {
      fill_order(req, first_customer + static_cast<uint64_t>(k), lines);
      apply(c);
      out.push_back(std::get<OrderView>(result_.body).order_no);
    }
    return out;
  }

  Engine& engine() { return engine_; }
  uint64_t& seq() { return seq_; }
  const Key& customer(uint64_t i) const { return customers_[i % kCustomers]; }

  const Principal admin_ = principal("bench-admin", kRoleAdmin, 3);
  const Principal rep_ = principal("bench-rep", kRoleOrder, 3);
  const Principal warehouse_ = principal("bench-wh", kRoleWarehouse, 0);
  const Principal finance_ = principal("bench-fin", kRoleFinance, 2);

 private:
  Engine engine_;
  Result result_;
  uint64_t seq_ = 0;
  std::vector<Key> customers_;
  std::vector<Key> skus_;
};

// submit_order with state.range(0) lines: decide + apply, accepted every time.
void BM_SubmitOrder(benchmark::State& state) {
  const int lines = static_cast<int>(state.range(0));
  auto w = std::make_unique<World>();
  Command c;
  c.at = kStart;
  c.by = w->rep_;
  c.body = SubmitOrder{};
  OrderRequest& req = std::get<SubmitOrder>(c.body).order;
  w->fill_order(req, 0, lines);
  CounterKey coid("PO-");
  Result r;
  uint64_t i = 0;
  for (auto _ : state) {
    w->fill_order(req, i++, lines);
    req.client_order_id = coid.next();
    c.seq = ++w->seq();
    w->engine().apply(c, r);
    if (!r.ok()) {
      state.SkipWithError(r.error.message.c_str());
      break;
    }
  }
  if (r.ok() && std::get<OrderView>(r.body).decision != OrderStatus::accepted)
    state.SkipWithError("orders are not accepted: the benchmark measures the wrong path");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["lines"] = lines;
}
BENCHMARK(BM_SubmitOrder)->Arg(1)->Arg(3)->Arg(10);

// submit_order in batches of 64, as the server's engine loop applies what one turn of its queue
// holds (net/engine_loop.cc), with state.range(1) = 1 giving the engine its cache hints ahead of
// each order (Engine::prefetch) as that loop does, and 0 without them. Lines: state.range(0).
void BM_SubmitOrderBatch(benchmark::State& state) {
  constexpr std::size_t kBatch = 64;
  const int lines = static_cast<int>(state.range(0));
  const bool hints = state.range(1) != 0;
  auto w = std::make_unique<World>();
  std::vector<Command> batch(kBatch);
  for (Command& c : batch) {
    c.at = kStart;
    c.by = w->rep_;
    c.body = SubmitOrder{};
  }
  CounterKey coid("PO-");
  Result r;
  uint64_t i = 0;
  for (auto _ : state) {
    for (Command& c : batch) {
      OrderRequest& req = std::get<SubmitOrder>(c.body).order;
      w->fill_order(req, i++, lines);
      req.client_order_id = coid.next();
    }
    for (std::size_t k = 0; k < kBatch; ++k) {
      if (hints) {
        Engine::prefetch_ahead(k, kBatch, [&](std::size_t j, Engine::PrefetchStage stage) {
          w->engine().prefetch(batch[j].body, stage);
        });
      }
      batch[k].seq = ++w->seq();
      w->engine().apply(batch[k], r);
      if (!r.ok()) {
        state.SkipWithError(r.error.message.c_str());
        return;
      }
    }
  }
  if (std::get<OrderView>(r.body).decision != OrderStatus::accepted)
    state.SkipWithError("orders are not accepted: the benchmark measures the wrong path");
  const auto orders = static_cast<double>(state.iterations() * kBatch);
  state.SetItemsProcessed(static_cast<int64_t>(orders));
  // Time per order (the iteration is a batch of kBatch), printed with its SI prefix: 520n.
  state.counters["per_order"] =
      benchmark::Counter(orders, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SubmitOrderBatch)->Args({3, 0})->Args({3, 1});

// quote: the same decision as a 3-line submit, nothing applied.
void BM_Quote3(benchmark::State& state) {
  auto w = std::make_unique<World>();
  Query q;
  q.at = kStart;
  q.by = w->rep_;
  q.body = Quote{};
  OrderRequest& req = std::get<Quote>(q.body).order;
  Result r;
  uint64_t i = 0;
  for (auto _ : state) {
    w->fill_order(req, i++, 3);
    w->engine().query(q, r);
    if (!r.ok()) {
      state.SkipWithError(r.error.message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Quote3);

// record_payment: 1.00 from a customer with an open invoice, applied to it (partially).
void BM_RecordPayment(benchmark::State& state) {
  auto w = std::make_unique<World>();
  constexpr int kPayers = 10'000;
  // Each payer gets one shipped 3-line order, so its payments have an invoice to settle.
  // Quantities are large enough that 1.00 payments never settle an invoice in full.
  {
    const std::vector<OrderNo> orders = w->make_orders(0, kPayers, 3);
    Command ship;
    ship.at = kStart;
    ship.by = w->warehouse_;
    for (OrderNo n : orders) {
      ship.body = Ship{n, {}};
      w->apply(ship);
    }
  }
  Command c;
  c.at = kStart + kMsPerHour;
  c.by = w->finance_;
  c.body = RecordPayment{};
  RecordPayment& p = std::get<RecordPayment>(c.body);
  p.amount = 1;  // 0.01: each invoice (>= 40.00) takes thousands of payments to settle
  CounterKey ref("PAY-");
  Result r;
  uint64_t i = 0;
  for (auto _ : state) {
    p.customer = w->customer(i++ % kPayers);
    p.payment_ref = ref.next();
    c.seq = ++w->seq();
    w->engine().apply(c, r);
    if (!r.ok()) {
      state.SkipWithError(r.error.message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RecordPayment);

// ship: a whole accepted 3-line order, creating its invoice.
void BM_Ship(benchmark::State& state) {
  auto w = std::make_unique<World>();
  constexpr int kRefill = 65'536;
  std::vector<OrderNo> orders = w->make_orders(0, kRefill, 3);
  std::size_t next = 0;
  uint64_t made = kRefill;
  Command c;
  c.at = kStart;
  c.by = w->warehouse_;
  c.body = Ship{};
  Ship& s = std::get<Ship>(c.body);
  Result r;
  for (auto _ : state) {
    if (next == orders.size()) {
      state.PauseTiming();
      orders = w->make_orders(made, kRefill, 3);
      made += kRefill;
      next = 0;
      state.ResumeTiming();
    }
    s.order_no = orders[next++];
    c.seq = ++w->seq();
    w->engine().apply(c, r);
    if (!r.ok()) {
      state.SkipWithError(r.error.message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ship);

// The server's prefault thread (engine/prefault_thread.h), here too unless
// CREDO_BENCH_PREFAULT=0: it zeroes the engine's next chunks and slot tables on another CPU, so
// the timed thread measures what the engine thread of a server does. Its own work is not in the
// CPU column (the timed thread's CPU time); run with CREDO_BENCH_PREFAULT=0 to count the
// zeroing in. It keeps 8 spare chunks, as a server's does.
bool prefault_wanted() {
  const char* env = std::getenv("CREDO_BENCH_PREFAULT");
  return !env || std::string_view(env) != "0";
}

}  // namespace
}  // namespace credo

int main(int argc, char** argv) {
  std::optional<credo::PrefaultThread> prefault;
  if (credo::prefault_wanted()) prefault.emplace(8);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

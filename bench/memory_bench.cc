// Memory per business object (issue 12, docs/limits.md "Business state"): the resident set
// (/proc/self/statm) before and after adding customers, products, open orders (3 lines,
// accepted) and then closing them (each shipped in full: an invoice, a ledger entry and an
// event more). Prints bytes per object. Run: build/bin/memory_bench [orders, default 1000000].
// RSS moves in 4 MiB chunks (engine/chunked_vector.h), so the counts are large enough that
// the rounding is well under 1 %.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "engine/engine.h"

namespace {

using namespace credo;

constexpr TimeMs kStart = 1'795'428'000'000;  // 2026-11-23T10:00:00Z

long rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0;
  long resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

void apply(Engine& e, Command& c, Result& r) {
  e.apply(c, r);
  if (!r.ok()) {
    std::fprintf(stderr, "memory_bench: %s\n", r.error.message.c_str());
    std::exit(1);
  }
}

std::string padded(const char* prefix, long i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%010ld", prefix, i);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const long orders = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  constexpr long kCustomers = 100'000;
  constexpr long kProducts = 100'000;
  Engine engine;
  Result r;
  Command c{0, kStart, Principal{Key::of("ops"), kRoleAdmin, 3}, {}};

  const long start = rss_bytes();
  for (long i = 0; i < kCustomers; ++i) {
    UpsertCustomer u;
    u.customer = Key::of(padded("C", i));
    u.name = "Customer " + std::to_string(i);
    u.grade = Grade::A;
    u.credit_limit = 1'000'000'000'000'000;
    c.body = u;
    apply(engine, c, r);
  }
  const long after_customers = rss_bytes();
  for (long i = 0; i < kProducts; ++i) {
    UpsertProduct u;
    u.sku = Key::of(padded("SKU", i));
    u.name = "Product " + std::to_string(i);
    u.price = 1000 + i % 5000;
    u.floor_price = 500;
    u.on_hand = 1'000'000'000'000;
    c.body = u;
    apply(engine, c, r);
  }
  const long after_products = rss_bytes();

  c.by = Principal{Key::of("rep"), kRoleAdmin, 3};
  OrderNo first = 0;
  for (long i = 0; i < orders; ++i) {
    SubmitOrder s;
    s.order.customer = Key::of(padded("C", i % kCustomers));
    s.order.client_order_id = Key::of(padded("PO", i));
    s.order.lines.resize(3);
    for (long l = 0; l < 3; ++l) {
      s.order.lines[static_cast<std::size_t>(l)].sku = Key::of(padded("SKU", (i * 7 + l) % kProducts));
      s.order.lines[static_cast<std::size_t>(l)].qty = 1 + l;
    }
    c.body = std::move(s);
    apply(engine, c, r);
    if (i == 0) first = std::get<OrderView>(r.body).order_no;
  }
  const long after_open = rss_bytes();
  for (long i = 0; i < orders; ++i) {
    Ship s;
    s.order_no = first + i;
    c.body = std::move(s);
    apply(engine, c, r);
  }
  const long after_closed = rss_bytes();

  const auto per = [](long bytes, long n) { return static_cast<double>(bytes) / static_cast<double>(n); };
  std::printf("resident at start: %.1f MiB\n", static_cast<double>(start) / (1 << 20));
  std::printf("per customer (id, name, record): %.0f bytes (%ld customers)\n",
              per(after_customers - start, kCustomers), kCustomers);
  std::printf("per product (sku, name, record): %.0f bytes (%ld products)\n",
              per(after_products - after_customers, kProducts), kProducts);
  std::printf("per open order (3 lines, accepted): %.0f bytes (%ld orders)\n",
              per(after_open - after_products, orders), orders);
  std::printf("per closed order (the same, shipped in full and invoiced): %.0f bytes\n",
              per(after_closed - after_products, orders));
  std::printf("resident at end: %.1f MiB\n", static_cast<double>(after_closed) / (1 << 20));
  return 0;
}

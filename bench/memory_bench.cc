// Memory per business object (issue 12, docs/limits.md "Business state"): the resident set
// (/proc/self/statm) before and after adding customers, products, open orders (3 lines,
// accepted, each with a client order id) and then closing them (each shipped in full: an
// invoice, a ledger entry and an event more), then archiving them (retention, engine/archive.cc:
// their lines and events leave memory). Prints bytes per object, per repetition and the
// median, and the sizes of the records behind them (sizeof accounting).
//
//   build/bin/memory_bench [orders [customers [products [reps [open-only]]]]]
//
// Defaults: 1,000,000 orders, 100,000 customers, 100,000 products, 3 repetitions. Each
// repetition builds its book in a fresh child process (fork), so the resident-set deltas are
// not hidden by memory an earlier book left in the allocator. With a fifth argument `1`, the
// orders are left open (the "1 M customers + 100 k products + 10 M open orders"):
//   build/bin/memory_bench 10000000 1000000 100000 1 1
// The peak resident set (VmHWM) is printed too: it includes an id table's old slot table while
// it drains. RSS moves in 4 MiB chunks (engine/chunked_vector.h), so the counts are large
// enough that the rounding is well under 1 %.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/state.h"

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

long peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string word;
  while (status >> word) {
    if (word == "VmHWM:") {
      long kb = 0;
      status >> kb;
      return kb * 1024;
    }
  }
  return 0;
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

struct Sample {
  double customer = 0, product = 0, open = 0, closed = 0, archived = 0, end_mib = 0,
         peak_mib = 0;
};

Sample build_book(long orders, long customers, long products, bool open_only) {
  Engine engine;
  Result r;
  Command c{0, kStart, Principal{Key::of("ops"), kRoleAdmin, 3}, {}};

  const long start = rss_bytes();
  for (long i = 0; i < customers; ++i) {
    UpsertCustomer u;
    u.customer = Key::of(padded("C", i));
    u.name = "Customer " + std::to_string(i);
    u.grade = Grade::A;
    u.credit_limit = 1'000'000'000'000'000;
    c.body = u;
    apply(engine, c, r);
  }
  const long after_customers = rss_bytes();
  for (long i = 0; i < products; ++i) {
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
    s.order.customer = Key::of(padded("C", i % customers));
    s.order.client_order_id = Key::of(padded("PO", i));
    s.order.lines.resize(3);
    for (long l = 0; l < 3; ++l)
      s.order.lines[static_cast<std::size_t>(l)] =
          LineRequest{Key::of(padded("SKU", (i * 7 + l) % products)), 1 + l, std::nullopt};
    c.body = std::move(s);
    apply(engine, c, r);
    if (i == 0) first = std::get<OrderView>(r.body).order_no;
  }
  const long after_open = rss_bytes();
  long after_closed = after_open;
  if (!open_only) {
    for (long i = 0; i < orders; ++i) {
      Ship s;
      s.order_no = first + i;
      c.body = std::move(s);
      apply(engine, c, r);
    }
    after_closed = rss_bytes();
  }
  // Then archived (engine/archive.cc): a retention of one day, two days later, ticks until
  // every order is archived; the chunks the archive gave back are unmapped, not kept for reuse.
  long after_archived = after_closed;
  if (!open_only) {
    SetPolicy p{engine.policy()};
    p.policy.order_retention_days = 1;
    c.body = p;
    apply(engine, c, r);
    c.at += 2 * kMsPerDay;
    do {
      c.body = Tick{};
      apply(engine, c, r);
    } while (std::get<TickView>(r.body).orders_archived > 0);
    BlockPool::instance().trim();
    after_archived = rss_bytes();
  }
  const auto per = [](long bytes, long n) {
    return n == 0 ? 0.0 : static_cast<double>(bytes) / static_cast<double>(n);
  };
  Sample out;
  out.customer = per(after_customers - start, customers);
  out.product = per(after_products - after_customers, products);
  out.open = per(after_open - after_products, orders);
  out.closed = open_only ? 0.0 : per(after_closed - after_products, orders);
  out.archived = open_only ? 0.0 : per(after_archived - after_products, orders);
  out.end_mib = static_cast<double>(after_archived) / (1 << 20);
  out.peak_mib = static_cast<double>(peak_rss_bytes()) / (1 << 20);
  return out;
}

// Builds one book in a child process and reads its Sample back through a pipe.
Sample build_in_child(long orders, long customers, long products, bool open_only) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(1);
  const pid_t pid = fork();
  if (pid < 0) std::exit(1);
  if (pid == 0) {
    close(fds[0]);
    const Sample s = build_book(orders, customers, products, open_only);
    const ssize_t n = write(fds[1], &s, sizeof s);
    _exit(n == static_cast<ssize_t>(sizeof s) ? 0 : 1);
  }
  close(fds[1]);
  Sample s;
  const ssize_t n = read(fds[0], &s, sizeof s);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (n != static_cast<ssize_t>(sizeof s) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "memory_bench: the child building the book failed\n");
    std::exit(1);
  }
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const long orders = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const long customers = argc > 2 ? std::atol(argv[2]) : 100'000;
  const long products = argc > 3 ? std::atol(argv[3]) : 100'000;
  const int reps = argc > 4 ? std::max(1, std::atoi(argv[4])) : 3;
  const bool open_only = argc > 5 && std::atoi(argv[5]) != 0;
  if (orders < 1 || customers < 1 || products < 1) {
    std::fprintf(stderr, "usage: memory_bench [orders [customers [products [reps [open-only]]]]]\n");
    return 2;
  }

  std::printf("records (sizeof): Order %zu, OrderLine %zu, EventRec %zu, ReasonRec %zu, "
              "Invoice %zu, LedgerEntry %zu, Customer %zu, Product %zu, Text %zu\n",
              sizeof(Order), sizeof(OrderLine), sizeof(EventRec), sizeof(ReasonRec),
              sizeof(Invoice), sizeof(LedgerEntry), sizeof(Customer), sizeof(Product),
              sizeof(Text));
  std::printf("book: %ld customers, %ld products, %ld orders of 3 lines%s; %d repetition(s)\n",
              customers, products, orders, open_only ? ", left open" : "", reps);
  std::printf("%-6s %12s %12s %12s %12s %12s %12s %12s\n", "rep", "B/customer", "B/product",
              "B/open", "B/closed", "B/archived", "end MiB", "peak MiB");
  std::vector<double> cu, pr, op, cl, ar, en, pk;
  for (int rep = 0; rep < reps; ++rep) {
    const Sample s = build_in_child(orders, customers, products, open_only);
    std::printf("%-6d %12.0f %12.0f %12.0f %12.0f %12.0f %12.1f %12.1f\n", rep + 1, s.customer,
                s.product, s.open, s.closed, s.archived, s.end_mib, s.peak_mib);
    std::fflush(stdout);
    cu.push_back(s.customer);
    pr.push_back(s.product);
    op.push_back(s.open);
    cl.push_back(s.closed);
    ar.push_back(s.archived);
    en.push_back(s.end_mib);
    pk.push_back(s.peak_mib);
  }
  std::printf("%-6s %12.0f %12.0f %12.0f %12.0f %12.0f %12.1f %12.1f\n", "median", median(cu),
              median(pr), median(op), median(cl), median(ar), median(en), median(pk));
  return 0;
}

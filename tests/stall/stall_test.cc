// A guard against stop-the-world growth coming back (issue 12), not a speed claim: 5 M orders
// through one engine, each apply timed against 20 ms, 20x the 1 ms target.
// The time is the thread's CPU time (page faults included): on the shared development VM (load
// average above 10) the wall time of a step includes being preempted by other processes'
// threads for 100 ms and more, which says nothing about the engine. Even the CPU time there
// shows a few isolated 20-100 ms steps at no particular order (most likely the hypervisor's
// steal time, accounted to the running thread), so up to kOutliers steps may pass 20 ms and
// none 500 ms: the old stop-the-world rehash of the client_order_id table took 721 ms of CPU
// at 4 M ids here, and every doubling repeats it. Noise lands at no particular order; growth
// lands where a table doubles, at a power of two: a step over 20 ms within a few orders of a
// power of two (2^16 and up) fails on its own (a std::vector of 4 M order indices doubling
// took 54 ms at order 4,194,304 and passed the outlier rule). The prefault thread runs as in
// the server, but at nice 0 (the test says why). Sanitizer builds run 200,000 orders: the
// check is the same, the tables double fewer times.
// For measuring (bench/README.md), not for CI: CREDO_STALL_ORDERS=10000000 runs more orders,
// CREDO_STALL_PREFAULT=0 runs without the prefault thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <time.h>

#include "engine/engine.h"
#include "engine/huge_alloc.h"
#include "engine/log2_histogram.h"
#include "engine/prefault_thread.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CREDO_STALL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CREDO_STALL_SANITIZED 1
#endif
#endif

namespace credo {
namespace {

#ifdef CREDO_STALL_SANITIZED
constexpr int kOrders = 200'000;
#else
constexpr int kOrders = 5'000'000;
#endif
constexpr int kCustomers = 10'000;
constexpr int kProducts = 1'000;
constexpr TimeMs kStart = 1'795'428'000'000;  // 2026-11-23T10:00:00Z
constexpr int64_t kBoundNs = 20'000'000;
constexpr int64_t kHardBoundNs = 500'000'000;
constexpr int kOutliers = 5;
// A step this close to a power of two of orders (from 2^16) is growth, not noise.
constexpr int kNearDoubling = 8;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

bool near_doubling(int i) {
  for (int k = 16; k < 31; ++k) {
    const int p = 1 << k;
    if (i >= p - kNearDoubling && i <= p + kNearDoubling) return true;
  }
  return false;
}

int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Writes `n` as decimal into the last digits of `k` (a fixed-width id, counted in place).
void set_number(Key& k, std::size_t prefix, uint64_t n) {
  for (std::size_t i = k.len; i > prefix; --i, n /= 10)
    k.data[i - 1] = static_cast<char>('0' + n % 10);
}

TEST(StallTest, NoSingleOrderOf5MillionTakes20Ms) {
  const int orders = env_int("CREDO_STALL_ORDERS", kOrders);
  const bool prefaulting = env_int("CREDO_STALL_PREFAULT", 1) != 0;
  std::printf("%d orders, prefault thread %s\n", orders, prefaulting ? "on" : "off");
  std::optional<PrefaultThread> prefault;
  // At nice 0, not the server's 19: among the other tests on a busy CI machine a nice-19
  // thread gets almost no CPU, and the engine then zeroes every block itself. Without the
  // thread the longest step here came within 10 % of the 20 ms bound (18.8 ms, 2026-12-07).
  if (prefaulting) prefault.emplace(8, /*nice=*/0);

  Engine engine;
  Result result;
  const Principal admin{Key::of("ops"), kRoleAdmin, 3};
  Command c{0, kStart, admin, {}};
  for (int i = 0; i < kCustomers; ++i) {
    UpsertCustomer u;
    u.customer = Key::of("C" + std::to_string(i));
    u.grade = Grade::A;
    u.credit_limit = 1'000'000'000'000'000;
    c.body = u;
    engine.apply(c, result);
    ASSERT_TRUE(result.ok());
  }
  for (int i = 0; i < kProducts; ++i) {
    UpsertProduct u;
    u.sku = Key::of("SKU" + std::to_string(i));
    u.price = 1000;
    u.floor_price = 500;
    u.on_hand = 1'000'000'000'000'000;
    c.body = u;
    engine.apply(c, result);
    ASSERT_TRUE(result.ok());
  }

  c.by = Principal{Key::of("rep"), kRoleOrder, 0};
  c.body = SubmitOrder{};
  OrderRequest& req = std::get<SubmitOrder>(c.body).order;
  req.lines.resize(1);
  req.lines[0].qty = 1;
  req.client_order_id = Key::of("PO000000000000");
  int64_t worst_ns = 0;
  int worst_at = -1;
  int over_1ms = 0;
  int over_bound = 0;
  int at_doubling = 0;
  Log2Histogram<20> steps_us;  // CPU µs per step: 1 µs .. ~0.5 s
  const auto started = std::chrono::steady_clock::now();
  // One clock read per order (a system call): a step is from one read to the next, which adds
  // the few microseconds of setting the next order's ids.
  int64_t t = thread_cpu_ns();
  for (int i = 0; i < orders; ++i) {
    req.customer = Key::of("C" + std::to_string(i % kCustomers));
    req.lines[0].sku = Key::of("SKU" + std::to_string(i % kProducts));
    set_number(req.client_order_id, 2, static_cast<uint64_t>(i));
    engine.apply(c, result);
    const int64_t now = thread_cpu_ns();
    const int64_t ns = now - t;
    t = now;
    if (!result.ok()) FAIL() << "order " << i << ": " << result.error.message;
    // The first order maps the first chunk of half a dozen tables (startup, not growth; the
    // prefault thread may not have its spares ready yet): not what this guards against.
    if (i == 0) continue;
    steps_us.add(static_cast<uint64_t>(ns / 1000));
    if (ns > worst_ns) {
      worst_ns = ns;
      worst_at = i;
    }
    over_1ms += ns > 1'000'000 ? 1 : 0;
    if (ns > kBoundNs) {
      ++over_bound;
      at_doubling += near_doubling(i) ? 1 : 0;
      std::printf("order %d took %.3f ms of CPU%s\n", i, static_cast<double>(ns) / 1e6,
                  near_doubling(i) ? " (at a doubling)" : "");
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%d orders in %.1f s; longest apply %.3f ms CPU (order %d); %d over 1 ms; "
              "blocks pre-faulted %llu, mapped on the spot %llu\n",
              orders, secs, static_cast<double>(worst_ns) / 1e6, worst_at, over_1ms,
              static_cast<unsigned long long>(BlockPool::instance().taken_prefaulted()),
              static_cast<unsigned long long>(BlockPool::instance().taken_fresh()));
  std::printf("steps by CPU time:");
  for (std::size_t b = 6; b <= Log2Histogram<20>::kBounds; ++b)
    if (steps_us.buckets[b] > 0)
      std::printf(" %s%llu us: %llu", b == Log2Histogram<20>::kBounds ? ">" : "<=",
                  static_cast<unsigned long long>(
                      Log2Histogram<20>::bound(std::min(b, Log2Histogram<20>::kBounds - 1))),
                  static_cast<unsigned long long>(steps_us.buckets[b]));
  std::printf(" (%llu at or under 32 us)\n",
              static_cast<unsigned long long>(steps_us.count - [&] {
                uint64_t above = 0;
                for (std::size_t b = 6; b <= Log2Histogram<20>::kBounds; ++b)
                  above += steps_us.buckets[b];
                return above;
              }()));
  EXPECT_EQ(at_doubling, 0) << "a step over 20 ms where a table doubles: stop-the-world growth";
  EXPECT_LE(over_bound, kOutliers) << "orders over 20 ms of CPU: a stall of kind, not noise";
  EXPECT_LT(worst_ns, kHardBoundNs) << "order " << worst_at << " stalled the engine";
}

}  // namespace
}  // namespace credo

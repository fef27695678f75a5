// Regression tests for what the fuzz targets found (fuzz/engine_fuzz.cc, fuzz/snapshot_fuzz.cc).
// Each test is the smallest scenario that reproduces one finding; the crashing input itself is
// kept in the target's corpus (fuzz/corpus/<target>/regress-*).
#include "tests/common/fault_matrix.h"
#include "tests/engine/world.h"

namespace credo::test {
namespace {

class FuzzRegressionTest : public EngineTest {};

// engine_fuzz: a command stamped INT64_MIN overflowed day_of() (signed overflow, UBSan), and
// times near INT64_MAX overflowed `at + hold time` on the next tick. Business time is now
// bounded to the years 0000-9999 (kMinTimeMs..kMaxTimeMs, what ISO-8601 dates can say); a
// command or read stamped outside is BAD_REQUEST and changes nothing.
TEST_F(FuzzRegressionTest, TimeOutsideYearsZeroToNineThousandIsBadRequest) {
  w.customer("C1").grade(Grade::A).limit(1'000'000);
  w.product("BOLT").price(1000).stock(10);
  const uint64_t before = w.engine.state_hash();
  std::string observed;
  for (TimeMs at : {INT64_MIN, kMinTimeMs - 1, kMaxTimeMs + 1, INT64_MAX}) {
    w.now = at;
    for (const Result& r : {w.apply(Tick{}, admin()), w.try_submit("C1", {{"BOLT", 1}}),
                            w.query(GetCustomer{Key::of("C1")})}) {
      ASSERT_EQ(r.error.code, ErrorCode::BAD_REQUEST) << describe(r.error);
      ASSERT_EQ(r.error.field, "at");
      observed = std::string(to_string(r.error.code)) + " (field at): " + r.error.message;
    }
    ASSERT_EQ(w.engine.state_hash(), before);
  }
  // The ends of the range themselves are times like any other.
  w.now = kMaxTimeMs;
  EXPECT_TRUE(w.apply(Tick{}, admin()).ok());
  EXPECT_EQ(w.engine.now(), kMaxTimeMs);
  EXPECT_EQ(format_time(w.engine.now()), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_time(kMinTimeMs), "0000-01-01T00:00:00.000Z");
  record_fault("Engine", "a command or read stamped outside the years 0000-9999 (INT64_MIN/MAX)",
               observed + "; state unchanged");
}

// The same finding from the other side: an order held at the last representable moment, then
// ticks at that moment, compute its expiry (at + hold_ttl_hours) without overflowing.
TEST_F(FuzzRegressionTest, OrderHeldAtTheLastMomentTicksWithoutOverflow) {
  w.customer("C1").grade(Grade::C).limit(3'000);
  w.product("GEAR").price(5'000).stock(3);
  w.now = kMaxTimeMs - kMsPerDay;
  const OrderView held = w.submit("C1", {{"GEAR", 2}});
  EXPECT_EQ(held.status, OrderStatus::held);
  w.now = kMaxTimeMs;
  const TickView t = w.tick();
  ASSERT_EQ(t.held_expired, 0u);  // 24 h of its 72 h hold have passed
  const OrderStatus after = w.get_order(held.order_no).status;
  ASSERT_EQ(after, OrderStatus::held);
  record_fault("Engine", "an order held one day before 9999-12-31T23:59:59.999Z, then a tick then",
               std::string("no overflow; ") + std::to_string(t.held_expired) +
                   " orders expired, the order is still " + to_string(after));
}

}  // namespace
}  // namespace credo::test

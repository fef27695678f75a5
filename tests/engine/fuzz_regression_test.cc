// Regression tests for what the fuzz targets found (fuzz/engine_fuzz.cc, fuzz/snapshot_fuzz.cc).
// Each test is the smallest scenario that reproduces one finding; the crashing input itself is
// kept in the target's corpus (fuzz/corpus/<target>/regress-*).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

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

// engine_fuzz, against the first version of the stricter load check: an order rejected for an
// unknown sku keeps the unit price it asked for, which times the quantity may exceed int64
// (the line counts 0). Such a state is real, so its image must load.
TEST_F(FuzzRegressionTest, RejectedLineWithAHugeAskedPriceSurvivesSaveAndLoad) {
  const OrderView o = w.submit("NOBODY", {{"NOSUCH", kQtyMax, kMoneyMax}});
  ASSERT_EQ(o.status, OrderStatus::rejected);
  std::string image;
  w.engine.save(image);
  Engine copy;
  std::string error;
  ASSERT_TRUE(copy.load(image, &error)) << error;
  ASSERT_EQ(copy.state_hash(), w.engine.state_hash());
  record_fault("Snapshot loading",
               "the image of an order rejected for an unknown sku at qty 1e9 x INT64_MAX",
               "loads; state hash equal");
}

// ---- engine_fuzz: a clock jump to 9999 made one order allocate a daily row for every day ----
// The daily report was a dense table, one 256-byte row per day from the first active day, so
// the first order after the clock moved from 2026 to 9999-12-31 resized it to ~2.9M rows
// (libFuzzer out-of-memory; the server went from 18 MB to 747 MB resident). Rows now exist only
// for days with activity (State::daily, sorted by day).

// Resident memory of this process in bytes (Linux: /proc/self/statm, second field in pages).
std::size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  const int got = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return got == 2
             ? static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE))
             : 0;
}

TEST_F(FuzzRegressionTest, ClockMovedToTheYear9999CostsOneDailyRowNotOnePerSkippedDay) {
  w.customer("C1").grade(Grade::A).limit(1'000'000);
  w.product("BOLT").price(1'000).stock(10);
  const Day old_day = w.today();
  w.submit("C1", {{"BOLT", 2}});
  const std::size_t before = resident_bytes();
  ASSERT_GT(before, 0u) << "cannot read /proc/self/statm";

  w.now = *parse_time("9999-12-31T00:00:00Z");
  // Eight millennia without a credit review would hold the order (CREDIT_REVIEW_DUE).
  ASSERT_TRUE(w.apply(ReviewCustomer{Key::of("C1"), std::nullopt, std::nullopt, "reviewed"},
                      credit_officer())
                  .ok());
  const OrderView late = w.submit("C1", {{"BOLT", 3}});
  ASSERT_EQ(late.status, OrderStatus::accepted);
  const std::size_t growth = resident_bytes() - std::min(before, resident_bytes());
  // The dense table grew by ~740 MB here; a couple of rows and an order are a few KB.
  EXPECT_LT(growth, std::size_t{20} << 20) << "resident memory grew by " << growth << " bytes";

  auto accepted = [](const DailyReportView& r) {
    return r.by_status[static_cast<int>(OrderStatus::accepted)];
  };
  const DailyReportView then = body<DailyReportView>(w.query(DailyReportQuery{old_day}));
  EXPECT_EQ(accepted(then).count, 1u);
  EXPECT_EQ(accepted(then).value, 2'000);
  const DailyReportView last = body<DailyReportView>(w.query(DailyReportQuery{w.today()}));
  EXPECT_EQ(accepted(last).count, 1u);
  EXPECT_EQ(accepted(last).value, 3'000);
  const DailyReportView between =
      body<DailyReportView>(w.query(DailyReportQuery{*parse_date("5000-06-15")}));
  EXPECT_EQ(accepted(between).count, 0u);  // a day without activity reads as zeros
  EXPECT_EQ(w.engine.check_invariants(true), "");

  // The image holds two rows too, and a copy loaded from it answers the same.
  std::string image;
  w.engine.save(image);
  EXPECT_LT(image.size(), std::size_t{64} << 10);
  Engine copy;
  std::string error;
  ASSERT_TRUE(copy.load(image, &error)) << error;
  EXPECT_EQ(copy.state_hash(), w.engine.state_hash());
  record_fault("Engine", "the clock moved from 2026 to 9999-12-31, then one order",
               "daily report rows only for the two active days (resident growth < 20 MB); "
               "both days report their order");
}

// An older day's row is found (and, in principle, made) between later ones: shipping an order
// submitted days ago changes the counts of its own day, not today's.
TEST_F(FuzzRegressionTest, StatusChangeOfAnOlderOrderUpdatesItsOwnDaysRow) {
  w.customer("C1").grade(Grade::A).limit(1'000'000);
  w.product("BOLT").price(1'000).stock(10);
  const Day d0 = w.today();
  const OrderView first = w.submit("C1", {{"BOLT", 1}});
  w.advance_days(400);
  // Reviewed, so that the order is not held for an overdue credit review.
  w.apply(ReviewCustomer{Key::of("C1"), std::nullopt, std::nullopt, "reviewed"}, credit_officer());
  w.submit("C1", {{"BOLT", 1}});
  w.ship(first.order_no);
  const DailyReportView r0 = body<DailyReportView>(w.query(DailyReportQuery{d0}));
  EXPECT_EQ(r0.by_status[static_cast<int>(OrderStatus::shipped)].count, 1u);
  EXPECT_EQ(r0.shipments, 0u);  // shipments count on the day they happen
  const DailyReportView now = body<DailyReportView>(w.query(DailyReportQuery{w.today()}));
  EXPECT_EQ(now.by_status[static_cast<int>(OrderStatus::accepted)].count, 1u);
  EXPECT_EQ(now.shipments, 1u);
  EXPECT_EQ(w.engine.check_invariants(true), "");
}

// A version-1 image (dense daily table, magic CREDOST1) and a version-2 image (magic CREDOST2,
// sparse daily table) still load: the zero rows between active days are dropped, the blocks
// version 3 appends take their defaults or are derived (credit data: an empty history, the
// review one grade cycle after the image's day), and everything before them is the state that
// wrote it.
TEST_F(FuzzRegressionTest, VersionOneImageWithADenseDailyTableStillLoads) {
  w.customer("C1").grade(Grade::A).limit(1'000'000);
  w.product("BOLT").price(1'000).stock(10);
  const Day d0 = w.today();
  w.submit("C1", {{"BOLT", 1}});
  w.advance_days(2);
  w.submit("C1", {{"BOLT", 4}});
  std::string v4;
  w.engine.save_version(v4, 4);
  ASSERT_EQ(Engine::image_version(v4), 4);
  // Version 4 adds each line's price source and the price agreements (empty): version 3 is
  // the same without them.
  const std::vector<ImageLine> lines = {{0, 1, 1'000, 0, 1'000, 0, 0}, {0, 4, 1'000, 0, 4'000, 0, 0}};
  const std::string v3 = image_as_version3(v4, lines);
  ASSERT_EQ(Engine::image_version(v3), 3);
  // Version 3 appends, after the daily table (engine/serialize.cc io_state): auth (the
  // per-reason levels: u64 count and a byte each; credit_limit_vp_pct; allow_combined_roles),
  // orderbook (no amendment keys, no amendments: two u64 counts; the on-time counts of the daily
  // rows: u64 count, two u64 per row), receivables (doubtful_after_days, one u64 settlement count
  // per customer, seven empty tables), credit data (the policy's credit members 4 x 8 + 5 x 4,
  // per customer its review_due and history (u64 count + 4 per entry), the proposals (u64 count)
  // and the history entries (u64 count + 74 each): C1 has one, "created").
  // Versions 3 and 4 count 13 hold reasons (ORDER_CREDIT_CAP came with version 5).
  constexpr std::size_t kV4Reasons = 13;
  const std::size_t auth_block = 8 + kV4Reasons + 4 + 1;
  const std::size_t orderbook = 8 + 8 + 8 + 2 * 16;
  const std::size_t receivables = 4 + 8 * 1 + 7 * 8;
  const std::size_t credit = 52 + (4 + 8 + 4) + 8 + (8 + 74);
  // writeoff: three policy members (i32, u8, i64) and five vectors, empty here (a u64 count
  // each).
  const std::size_t writeoff = 4 + 1 + 8 + 5 * 8;
  const std::size_t after_daily = auth_block + orderbook + receivables + credit + writeoff;
  // The daily table: u64 count, then (i32 day, row) per row. A row: counts and values by status
  // (6 + 6), holds by reason (kReasonCount since version 3, 12 before), then 8 sums, 8 bytes each.
  const std::size_t row_bytes = (6 + 6 + kV4Reasons + 8) * 8;
  const std::size_t tail = 8 + 2 * (4 + row_bytes) + after_daily;
  ASSERT_GT(v3.size(), tail);
  uint64_t rows = 0;
  std::memcpy(&rows, v3.data() + v3.size() - tail, 8);
  ASSERT_EQ(rows, 2u);
  auto old_row = [&](std::size_t at) {  // only the 12 reasons versions 1 and 2 count
    std::string row = v3.substr(at, row_bytes);
    return row.erase((6 + 6 + 12) * 8, (kV4Reasons - 12) * 8);
  };
  const std::size_t row0_at = v3.size() - tail + 8 + 4;
  const std::size_t row2_at = v3.size() - after_daily - row_bytes;
  const std::string row0 = old_row(row0_at);
  const std::string row2 = old_row(row2_at);
  const std::string before_daily = v3.substr(8, v3.size() - tail - 8);
  // v2 = the sparse rows with 12 reasons each; v1 = i32 base day, u64 count, then a row for
  // every day from the base.
  std::string v2 = "CREDOST2" + before_daily;
  v2.append(reinterpret_cast<const char*>(&rows), sizeof rows);
  v2 += v3.substr(row0_at - 4, 4) + row0 + v3.substr(row2_at - 4, 4) + row2;
  std::string v1 = "CREDOST1" + before_daily;
  const uint64_t dense = 3;
  v1.append(reinterpret_cast<const char*>(&d0), sizeof d0);
  v1.append(reinterpret_cast<const char*>(&dense), sizeof dense);
  v1 += row0 + std::string(row0.size(), '\0') + row2;
  ASSERT_EQ(Engine::image_version(v1), 1);
  ASSERT_EQ(Engine::image_version(v2), 2);

  {
    // A version-3 image loads to the same state: its lines' sources are derived (`list`, at the
    // list price) and it has no agreements, so it saves as the version-4 image it came from.
    Engine old;
    std::string error;
    ASSERT_TRUE(old.load(v3, &error)) << error;
    EXPECT_EQ(old.check_invariants(true), "");
    std::string resaved;
    old.save_version(resaved, 4);
    EXPECT_EQ(resaved, v4);
  }
  for (const std::string* image : {&v1, &v2}) {
    Engine old;
    std::string error;
    ASSERT_TRUE(old.load(*image, &error)) << error;
    EXPECT_EQ(old.check_invariants(true), "");
    std::string resaved;
    old.save_version(resaved, 4);
    resaved = image_as_version3(resaved, lines);  // the derived sources are the ones saved
    // Everything up to the version-3 blocks is what wrote the image.
    EXPECT_EQ(resaved.substr(0, v3.size() - after_daily), v3.substr(0, v3.size() - after_daily));
    // The credit data is derived: no history, no proposals, C1 due for review one A-grade cycle
    // (182 days) after the image's business day.
    const std::size_t old_credit = 52 + (4 + 8) + 8 + 8;
    ASSERT_GT(resaved.size(), writeoff + old_credit);
    Day review_due = 0;
    std::memcpy(&review_due, resaved.data() + resaved.size() - writeoff - old_credit + 52, 4);
    EXPECT_EQ(review_due, w.today() + 182);
  }
}

// ---- snapshot_fuzz: images that loaded although no sequence of commands can produce them ----
// Each test saves a real world, changes one field of the image (found by a value planted for
// it, the layout being engine/serialize.cc's field lists), and expects load() to refuse it,
// saying why, and to leave an empty engine.
class CorruptImageTest : public EngineTest {
 protected:
  // The offset of the only occurrence of `v`'s bytes in `image` (a test failure otherwise).
  template <typename T>
  static std::size_t find_unique(const std::string& image, T v) {
    const std::string_view needle(reinterpret_cast<const char*>(&v), sizeof v);
    const std::size_t at = image.find(needle);
    EXPECT_NE(at, std::string::npos);
    EXPECT_EQ(image.find(needle, at + 1), std::string::npos) << "planted value not unique";
    return at;
  }
  template <typename T>
  static void poke(std::string& image, std::size_t at, T v) {
    ASSERT_LE(at + sizeof v, image.size());
    std::memcpy(image.data() + at, &v, sizeof v);
  }
  // Loads `image`, which must fail; records the row and returns the message.
  std::string refused(const std::string& image, std::string_view fault) {
    Engine e;
    std::string error;
    EXPECT_FALSE(e.load(image, &error));
    EXPECT_FALSE(error.empty());
    EXPECT_EQ(e.counts().orders, 0u);
    if (!::testing::Test::HasFailure())
      record_fault("Snapshot loading", fault, "refused: " + error);
    return error;
  }
  std::string image() {
    std::string out;
    w.engine.save(out);
    Engine check;  // the unchanged image loads
    std::string error;
    EXPECT_TRUE(check.load(out, &error)) << error;
    return out;
  }
};

// `now` is the first field after the magic and the policy (8 + 4*8 + 4*4 + 4*4 bytes). A state
// whose clock is outside the engine's time range could never take another command.
TEST_F(CorruptImageTest, NowOutsideTheTimeRangeIsRefused) {
  std::string img = image();
  poke(img, 72, INT64_MIN);
  EXPECT_NE(refused(img, "a state image whose now is INT64_MIN").find("time range"),
            std::string::npos);
}

// Customer: exists, grade, status, suspended_by_ladder, ladder_override (1 byte each),
// terms_days, credit_limit. A bool byte of 2 was loaded and then read as a bool (UBSan).
TEST_F(CorruptImageTest, BoolByteOtherThanZeroOrOneIsRefused) {
  w.customer("C1").grade(Grade::A).limit(0x0123'4567'89AB);
  std::string img = image();
  // The first occurrence is the customer's; its credit history, at the end, repeats the limit.
  const Money limit = 0x0123'4567'89AB;
  const std::size_t at =
      img.find(std::string_view(reinterpret_cast<const char*>(&limit), sizeof limit));
  ASSERT_NE(at, std::string::npos);
  poke(img, at - 9, uint8_t{2});
  EXPECT_NE(refused(img, "a state image with a bool byte of 2").find("malformed"),
            std::string::npos);
}

// Order: ..., total, open_value, prepaid_remaining, ... A credit order carrying a prepayment
// reservation loaded, and the tick that expired it left "closed but still holds value".
TEST_F(CorruptImageTest, CreditOrderWithAPrepaymentReservationIsRefused) {
  w.customer("C1").grade(Grade::C).limit(1'000);
  w.product("GEAR").price(0x0123'4567).floor(1).stock(3);  // (price, floor) is no pair
  const OrderView held = w.submit("C1", {{"GEAR", 1}});
  ASSERT_EQ(held.status, OrderStatus::held);
  std::string img = image();
  // total and open_value side by side (16 bytes) only occur in the order.
  struct Pair {
    Money total, open_value;
  };
  const std::size_t at = find_unique(img, Pair{0x0123'4567, 0x0123'4567});
  poke(img, at + 16, Money{1});
  EXPECT_NE(refused(img, "a state image with a credit order holding a prepayment reservation")
                .find("prepaid_remaining"),
            std::string::npos);
}

// EventRec: kind (1), principal (4), at, number, amount (8 each), text (8 + 4), next (4). An
// event linked to itself made get_order loop, growing its event list until memory ran out.
TEST_F(CorruptImageTest, EventChainWithACycleIsRefused) {
  w.customer("C1").grade(Grade::A).limit(1'000'000);
  w.product("BOLT").price(1'000).stock(10);
  const OrderView o = w.submit("C1", {{"BOLT", 1}});
  w.advance_ms(0x0123'4567);
  w.cancel(o.order_no);
  std::string img = image();
  // The cancel event's time; the order's own times are earlier, and now is the same value,
  // so look for it after the kind and principal bytes of the event.
  const TimeMs cancelled_at = w.now;
  std::string needle(1, static_cast<char>(EventKind::cancelled));
  // principal 1: rep0 submitted and cancelled (0 is the credit officer who created C1)
  const uint32_t rep0 = 1;
  needle.append(reinterpret_cast<const char*>(&rep0), sizeof rep0);
  needle.append(reinterpret_cast<const char*>(&cancelled_at), sizeof cancelled_at);
  const std::size_t at = img.find(needle);
  ASSERT_NE(at, std::string::npos);
  poke(img, at + 1 + 4 + 8 + 8 + 8 + 12, uint32_t{0});  // next = itself
  EXPECT_NE(refused(img, "a state image whose event list has a cycle").find("linked twice"),
            std::string::npos);
}

}  // namespace
}  // namespace credo::test

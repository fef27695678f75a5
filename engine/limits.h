// Every bound credo puts on its input, named once (TigerBeetle: "put a limit on everything").
// The engine, the request codec (net/request_parser.cc), the policy config file
// (net/policy_config.cc), the WAL codec and the error messages all read these; no number is typed
// twice. Error messages are built from these constants (limits::range_text and friends), so a bound
// that changes here changes what clients are told too. docs/limits.md explains each bound's reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace credo {

// An inclusive integer range [lo, hi].
struct Range {
  int64_t lo;
  int64_t hi;
  constexpr bool contains(int64_t v) const { return v >= lo && v <= hi; }
};

// ---- identifiers and text -------------------------------------------------------------------
constexpr std::size_t kMaxKeyLen = 64;     // customer, sku, client_order_id, payment_ref, names
constexpr std::size_t kMaxTextLen = 1024;  // names, reasons, notes, refs, hello's key (bytes)

// ---- orders ---------------------------------------------------------------------------------
constexpr std::size_t kMaxOrderLines = 1000;     // lines per order, per shipment, per return
constexpr std::size_t kMaxBatchOrders = 10'000;  // orders per submit_orders

// ---- numbers --------------------------------------------------------------------------------
constexpr int64_t kMoneyMax = INT64_MAX;                // minor units; never a float
constexpr int64_t kQtyMax = 1'000'000'000;              // per line
constexpr Range kQtyRange{1, kQtyMax};                  // a line's, a receipt's quantity
constexpr Range kMoneyRange{0, kMoneyMax};              // prices, limits
constexpr Range kPaymentRange{1, kMoneyMax};            // record_payment's amount
constexpr Range kStockRange{0, INT64_MAX};              // on_hand
constexpr Range kDocumentNoRange{1, INT64_MAX};         // order_no, invoice_no (from 1 up)
constexpr Range kTermsDaysRange{0, 3650};               // payment terms: up to 10 years
constexpr int64_t kBasisPointsMax = 10'000;             // 100 %
constexpr Range kBasisPointsRange{0, kBasisPointsMax};  // discount_max_bp per level

// ---- approval levels ------------------------------------------------------------------------
// 0 sales rep, 1 sales manager, 2 sales VP, 3 general manager.
constexpr int kMaxLevel = 3;
constexpr std::size_t kLevelCount = kMaxLevel + 1;  // the policy's per-level arrays

// ---- policy durations (at most 10 years, so time + duration never nears int64 overflow) -----
constexpr Range kHoldTtlHoursRange{1, int64_t{24} * 3650};
constexpr Range kOrderTtlDaysRange{1, 3650};
constexpr Range kOverdueHoldDaysRange{0, 3650};
constexpr Range kSuspendAfterDaysRange{0, 3650};
constexpr Range kLevelRange{0, kMaxLevel};              // an approval level
constexpr Range kCreditLimitVpPctRange{0, 10'000};      // % over the limit that needs the VP
// Past 30 days an invoice is in dunning, so doubtful starts later (004 9-05 §2-8, 9-08 §3).
constexpr Range kDoubtfulAfterDaysRange{31, 3650};
constexpr Range kReviewCycleDaysRange{1, 366};  // "at least once a year" (001 §2.2)
constexpr Range kReviewGraceDaysRange{0, 3650};
constexpr Range kWriteOffMinDaysRange{0, 3650};
// Deposits (docs/rules.md, "Deposits"): a percentage of the order, and the days to pay it in.
constexpr Range kDepositPctRange{1, 100};
constexpr Range kDepositTtlDaysRange{1, 3650};
// Days a closed order keeps its detail in memory (engine/archive.cc); 0 keeps it forever.
constexpr Range kOrderRetentionDaysRange{0, 36500};
// Orders one tick archives at most (engine/archive.cc), so that a tick after a long pause, or
// the first after retention is turned on over a big book, costs a few ms, not one stall; the
// rest follow at the next ticks (one a second). Part of the state machine: replay archives the
// same orders at the same ticks.
constexpr uint32_t kMaxArchivedPerTick = 131'072;

// ---- reads ----------------------------------------------------------------------------------
constexpr uint32_t kDefaultListLimit = 100;
constexpr uint32_t kMaxListLimit = 10'000;
constexpr Range kListLimitRange{1, kMaxListLimit};
constexpr std::size_t kMaxStatementEntries = 10'000;
// list_customers / list_products: rows per page (`limit`, default kDefaultListLimit), and the
// most rows one call examines (matching or not) before it answers with a cursor to go on from,
// so a selective filter over a large table costs a bounded amount per call, never a full scan.
constexpr uint32_t kMaxPageLimit = 1'000;
constexpr Range kPageLimitRange{1, kMaxPageLimit};
constexpr uint32_t kMaxPageExamined = 10'000;
// list_orders' status filter: the six status names, comma-separated, fit in this.
constexpr std::size_t kMaxStatusFilterLen = 64;
// aging's due_within_days: the coming dues up to 10 years ahead.
constexpr Range kDueWithinDaysRange{1, 3650};
// get_credit_history: the newest `limit` entries (default kDefaultListLimit).
constexpr Range kHistoryLimitRange{1, kMaxPageLimit};

// ---- message text built from the bounds (error path only: these allocate) --------------------
namespace limits {
// "1 to 64"
inline std::string range_text(Range r) {
  return std::to_string(r.lo) + " to " + std::to_string(r.hi);
}
inline std::string range_text(int64_t lo, int64_t hi) {
  return range_text(Range{lo, hi});
}
// "1 to 64 printable ASCII characters"
inline std::string key_text() {
  return range_text(1, kMaxKeyLen) + " printable ASCII characters";
}
}  // namespace limits

}  // namespace credo

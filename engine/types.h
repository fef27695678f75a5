// The engine's vocabulary: identifiers, money, time and the enums shared by the engine, the
// wire protocol and the docs. Pure values; nothing here allocates or does I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "engine/limits.h"

namespace credo {

// ---------------------------------------------------------------------------------------------
// Identifiers: customer, sku, client_order_id, payment_ref, principal names.
// 1 to 64 printable ASCII characters, no spaces (PROTOCOL.md "Values"). Stored inline so a
// command carries its ids without allocating.
struct Key {
  static constexpr std::size_t kMaxLen = kMaxKeyLen;
  uint8_t len = 0;
  char data[kMaxLen] = {};

  // True iff `s` is a valid identifier: 1..64 characters in 0x21..0x7e.
  static bool valid(std::string_view s) {
    if (s.empty() || s.size() > kMaxLen) return false;
    for (unsigned char c : s)
      if (c < 0x21 || c > 0x7e) return false;
    return true;
  }
  // REQUIRES: valid(s).
  static Key of(std::string_view s) {
    Key k;
    k.len = static_cast<uint8_t>(s.size());
    std::memcpy(k.data, s.data(), s.size());
    return k;
  }
  std::string_view view() const { return {data, len}; }
  bool empty() const { return len == 0; }
  friend bool operator==(const Key& a, const Key& b) { return a.view() == b.view(); }
};

// ---------------------------------------------------------------------------------------------
// Money: int64 minor units (cents). Never floating point. Every sum that could overflow goes
// through these; an overflow is an error value for the caller, never a wrap.
using Money = int64_t;  // bounded by kMoneyRange (engine/limits.h)

[[nodiscard]] inline bool add_overflows(int64_t a, int64_t b, int64_t* out) {
  return __builtin_add_overflow(a, b, out);
}
[[nodiscard]] inline bool sub_overflows(int64_t a, int64_t b, int64_t* out) {
  return __builtin_sub_overflow(a, b, out);
}
[[nodiscard]] inline bool mul_overflows(int64_t a, int64_t b, int64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

// Quantities: positive integers, kQtyRange per line (engine/limits.h).
using Qty = int64_t;

// ---------------------------------------------------------------------------------------------
// Time. Business time only ever comes from a command's timestamp.
using TimeMs = int64_t;  // milliseconds since 1970-01-01T00:00:00Z
using Day = int32_t;     // days since 1970-01-01
constexpr TimeMs kMsPerHour = 3'600'000;
constexpr TimeMs kMsPerDay = 86'400'000;

// The business times the engine accepts: 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z,
// the range ISO-8601 with four-digit years can say (parse_time never gives anything else).
// Bounding it keeps every sum of a time and a policy duration (hold_ttl_hours, order_ttl_days,
// terms_days: at most 10 years) far from int64 overflow. A command or read stamped outside is
// BAD_REQUEST (field "at").
constexpr TimeMs kMinTimeMs = -62'167'219'200'000;
constexpr TimeMs kMaxTimeMs = 253'402'300'799'999;
inline bool time_in_range(TimeMs t) {
  return t >= kMinTimeMs && t <= kMaxTimeMs;
}

inline Day day_of(TimeMs t) {
  return static_cast<Day>(t >= 0 ? t / kMsPerDay : (t - kMsPerDay + 1) / kMsPerDay);
}
// "YYYY-MM-DD" <-> Day. parse_date returns nullopt for anything that is not a real date.
std::optional<Day> parse_date(std::string_view s);
std::string format_date(Day d);
// ISO-8601 UTC "2026-11-23T10:15:00.000Z" <-> TimeMs. parse_time accepts
// YYYY-MM-DDTHH:MM:SS[.fff]Z (also a bare date, meaning midnight).
std::optional<TimeMs> parse_time(std::string_view s);
std::string format_time(TimeMs t);
// Appends the formatted value to `out` (no allocation once `out` has capacity).
void append_time(std::string& out, TimeMs t);
void append_date(std::string& out, Day d);

// ---------------------------------------------------------------------------------------------
// Enums. Each has a wire name (to_string) and a parser (returns false on an unknown name).
enum class Grade : uint8_t { A, B, C, D };
enum class CustomerStatus : uint8_t { active, on_hold, blocked };
enum class OrderStatus : uint8_t { accepted, held, rejected, expired, cancelled, shipped };
// Sizes the tables indexed by OrderStatus (the daily report's counts by status).
constexpr int kOrderStatusCount = 6;
static_assert(static_cast<int>(OrderStatus::shipped) + 1 == kOrderStatusCount,
              "kOrderStatusCount must follow OrderStatus's last value");
// cod (cash on delivery) and deposit: docs/rules.md, "Cash on delivery" and "Deposits".
enum class PaymentTerms : uint8_t { credit, prepaid, cod, deposit };
// Where an order line's unit price came from (docs/rules.md, "Contract prices"): a price
// agreement of the customer for the sku, the product's list price, or the price the line asked.
enum class PriceSource : uint8_t { list, agreement, requested };
// What aging counts days from: the due date (default) or the invoice date (004 9-08 §3).
enum class AgingBasis : uint8_t { due_date, invoice_date };

// Why an order was not simply accepted (PROTOCOL.md reason table). The first six reject the
// order; the rest hold it.
enum class Reason : uint8_t {
  UNKNOWN_CUSTOMER,
  CUSTOMER_BLOCKED,
  UNKNOWN_SKU,
  INSUFFICIENT_STOCK,
  BELOW_FLOOR_PRICE,
  PREPAYMENT_REQUIRED,
  CUSTOMER_ON_HOLD,
  CREDIT_GRADE,
  CREDIT_LIMIT,
  OVERDUE,
  PRICE_APPROVAL,
  AMOUNT_APPROVAL,
  CREDIT_REVIEW_DUE = 12,  // the customer's credit review is overdue (docs/rules.md, "Credit data")
  ORDER_CREDIT_CAP = 13,   // the order's credit part is above its grade's max_order_credit_minor
};
constexpr int kReasonCount = 14;
inline bool rejects(Reason r) {
  return r <= Reason::PREPAYMENT_REQUIRED;
}


enum class ErrorCode : uint8_t {
  OK,
  BAD_JSON,
  BAD_REQUEST,
  UNKNOWN_OP,
  UNAUTHENTICATED,
  FORBIDDEN,
  NOT_FOUND,
  INVALID_STATE,
  DUPLICATE,
  LINE_TOO_LONG,
  OVERLOADED,
  INTERNAL,
  NOT_PRIMARY,  // extension: a standby refuses state changes (docs/replication.md)
  UNAVAILABLE,  // extension: the journal (disk or replicated log) cannot take changes; retryable
};
// How many codes there are: tables indexed by ErrorCode are sized by this. Keep UNAVAILABLE (or
// whatever is appended after it) last.
constexpr std::size_t kErrorCodeCount = static_cast<std::size_t>(ErrorCode::UNAVAILABLE) + 1;

// Roles are a bit set (PROTOCOL.md "Authentication and roles").
enum Role : uint8_t {
  kRoleOrder = 1,
  kRoleCredit = 2,
  kRoleWarehouse = 4,
  kRoleFinance = 8,
  kRoleAdmin = 16,
};
// Approval authority: levels 0..kMaxLevel (engine/limits.h).

// The function that approves a hold reason (004 P5 §5-6, §9; P9 六; 000 二(三)): price and
// amount by sales management (the order role), every other (credit) reason by the credit role.
inline Role approver_role(Reason r) {
  return r == Reason::PRICE_APPROVAL || r == Reason::AMOUNT_APPROVAL ? kRoleOrder : kRoleCredit;
}

// What happened to an order, in its history.
enum class EventKind : uint8_t {
  submitted,
  released,
  rejected,
  cancelled,
  expired,
  shipped,
  returned,
  approved,           // one reason of a held order approved (approve_order, release_order)
  shipping_released,  // a one-time shipping release (release_shipment), used by the next ship
  amended,            // a taken amendment (amend_order): the approvals before it no longer count
};

const char* to_string(Grade g);
const char* to_string(CustomerStatus s);
const char* to_string(OrderStatus s);
const char* to_string(PaymentTerms p);
const char* to_string(PriceSource p);
const char* to_string(Reason r);
const char* to_string(AgingBasis b);
const char* to_string(ErrorCode e);
const char* to_string(EventKind e);
const char* role_name(Role r);
bool parse(std::string_view s, Grade* out);
bool parse(std::string_view s, CustomerStatus* out);
bool parse(std::string_view s, PaymentTerms* out);
bool parse(std::string_view s, Reason* out);
bool parse(std::string_view s, AgingBasis* out);
bool parse_role(std::string_view s, Role* out);

// ---- write-offs and returns (branch writeoff; names and parsers in engine/write_offs.cc) ----
// Why a bad debt may be written off (004 P5 9-08 §13): the debtor is bankrupt or deceased, the
// invoice is more than the policy's writeoff_min_days_past_due past due (uncollectible), or a
// settlement was agreed. `unspecified` is what the one-step write_off records; no request may
// give it (parse refuses it).
enum class WriteOffReason : uint8_t { bankrupt, deceased, uncollectible, settlement, unspecified };
enum class WriteOffStatus : uint8_t { proposed, approved };
// A return's way through the house (004 P5 §11, 9-04 §8-13): requested, approved, received.
enum class ReturnStatus : uint8_t { requested, approved, received };
// A received return line's quality check: only passed units go back to stock.
enum class QcResult : uint8_t { pass, fail };
const char* to_string(WriteOffReason r);
const char* to_string(WriteOffStatus s);
const char* to_string(ReturnStatus s);
const char* to_string(QcResult q);
bool parse(std::string_view s, WriteOffReason* out);
bool parse(std::string_view s, QcResult* out);

}  // namespace credo

#include "engine/types.h"

#include <charconv>

namespace credo {
namespace {

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian, UTC).
Day days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<Day>(era * 146097 + static_cast<int64_t>(doe) - 719468);
}

void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at s[pos..]; false if any is not a digit.
bool digits(std::string_view s, std::size_t pos, std::size_t n, unsigned* out) {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  *out = v;
  return true;
}

void append_digits(std::string& out, int64_t v, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v < 0 ? -v : v);
  (void)ec;
  if (v < 0) out.push_back('-');
  for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad) out.push_back('0');
  out.append(buf, end);
}

template <typename E, std::size_t N>
bool parse_name(std::string_view s, const char* const (&names)[N], E* out) {
  for (std::size_t i = 0; i < N; ++i) {
    if (s == names[i]) {
      *out = static_cast<E>(i);
      return true;
    }
  }
  return false;
}

constexpr const char* kGrades[] = {"A", "B", "C", "D"};
constexpr const char* kCustomerStatuses[] = {"active", "on_hold", "blocked"};
constexpr const char* kOrderStatuses[] = {"accepted", "held",      "rejected",
                                          "expired",  "cancelled", "shipped"};
constexpr const char* kPaymentTerms[] = {"credit", "prepaid", "cod", "deposit"};
constexpr const char* kPriceSources[] = {"list", "agreement", "requested"};
constexpr const char* kAgingBases[] = {"due_date", "invoice_date"};
constexpr const char* kReasons[] = {"UNKNOWN_CUSTOMER",  "CUSTOMER_BLOCKED",
                                    "UNKNOWN_SKU",       "INSUFFICIENT_STOCK",
                                    "BELOW_FLOOR_PRICE", "PREPAYMENT_REQUIRED",
                                    "CUSTOMER_ON_HOLD",  "CREDIT_GRADE",
                                    "CREDIT_LIMIT",      "OVERDUE",
                                    "PRICE_APPROVAL",    "AMOUNT_APPROVAL",
                                    "CREDIT_REVIEW_DUE", "ORDER_CREDIT_CAP"};
constexpr const char* kErrors[] = {
    "OK",        "BAD_JSON",      "BAD_REQUEST", "UNKNOWN_OP",    "UNAUTHENTICATED", "FORBIDDEN",
    "NOT_FOUND", "INVALID_STATE", "DUPLICATE",   "LINE_TOO_LONG", "OVERLOADED",      "INTERNAL",
    "NOT_PRIMARY", "UNAVAILABLE"};
constexpr const char* kEvents[] = {"submitted", "released", "rejected",         "cancelled",
                                   "expired",   "shipped",  "returned",         "approved",
                                   "shipping_released", "amended"};
constexpr const char* kRoles[] = {"order", "credit", "warehouse", "finance", "admin"};

}  // namespace

std::optional<Day> parse_date(std::string_view s) {
  unsigned y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s, 0, 4, &y) || !digits(s, 5, 2, &m) || !digits(s, 8, 2, &d)) return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return days_from_civil(y, m, d);
}

std::optional<TimeMs> parse_time(std::string_view s) {
  auto day = parse_date(s.substr(0, 10));
  if (!day) return std::nullopt;
  TimeMs t = static_cast<TimeMs>(*day) * kMsPerDay;
  if (s.size() == 10) return t;
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  unsigned hh, mm, ss, ms = 0;
  if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
  if (!digits(s, 11, 2, &hh) || !digits(s, 14, 2, &mm) || !digits(s, 17, 2, &ss))
    return std::nullopt;
  std::size_t pos = 19;
  if (s[pos] == '.') {
    if (!digits(s, pos + 1, 3, &ms)) return std::nullopt;
    pos += 4;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  return t + ((hh * 60 + mm) * 60 + ss) * 1000LL + ms;
}

void append_date(std::string& out, Day day) {
  int64_t y;
  unsigned m, d;
  civil_from_days(day, &y, &m, &d);
  append_digits(out, y, 4);
  out.push_back('-');
  append_digits(out, m, 2);
  out.push_back('-');
  append_digits(out, d, 2);
}

void append_time(std::string& out, TimeMs t) {
  Day day = day_of(t);
  TimeMs in_day = t - static_cast<TimeMs>(day) * kMsPerDay;
  append_date(out, day);
  out.push_back('T');
  append_digits(out, in_day / kMsPerHour, 2);
  out.push_back(':');
  append_digits(out, in_day / 60'000 % 60, 2);
  out.push_back(':');
  append_digits(out, in_day / 1000 % 60, 2);
  out.push_back('.');
  append_digits(out, in_day % 1000, 3);
  out.push_back('Z');
}

std::string format_date(Day d) {
  std::string s;
  append_date(s, d);
  return s;
}
std::string format_time(TimeMs t) {
  std::string s;
  append_time(s, t);
  return s;
}

const char* to_string(Grade g) {
  return kGrades[static_cast<int>(g)];
}
const char* to_string(CustomerStatus s) {
  return kCustomerStatuses[static_cast<int>(s)];
}
const char* to_string(OrderStatus s) {
  return kOrderStatuses[static_cast<int>(s)];
}
const char* to_string(PaymentTerms p) {
  return kPaymentTerms[static_cast<int>(p)];
}
const char* to_string(PriceSource p) {
  return kPriceSources[static_cast<int>(p)];
}
const char* to_string(Reason r) {
  return kReasons[static_cast<int>(r)];
}
const char* to_string(AgingBasis b) {
  return kAgingBases[static_cast<int>(b)];
}
const char* to_string(ErrorCode e) {
  return kErrors[static_cast<int>(e)];
}
const char* to_string(EventKind e) {
  return kEvents[static_cast<int>(e)];
}
const char* role_name(Role r) {
  for (int i = 0; i < 5; ++i)
    if (r == (1 << i)) return kRoles[i];
  return "?";
}

bool parse(std::string_view s, Grade* out) {
  return parse_name(s, kGrades, out);
}
bool parse(std::string_view s, CustomerStatus* out) {
  return parse_name(s, kCustomerStatuses, out);
}
bool parse(std::string_view s, PaymentTerms* out) {
  return parse_name(s, kPaymentTerms, out);
}
bool parse(std::string_view s, Reason* out) {
  return parse_name(s, kReasons, out);
}
bool parse(std::string_view s, AgingBasis* out) {
  return parse_name(s, kAgingBases, out);
}
bool parse_role(std::string_view s, Role* out) {
  for (int i = 0; i < 5; ++i) {
    if (s == kRoles[i]) {
      *out = static_cast<Role>(1 << i);
      return true;
    }
  }
  return false;
}

}  // namespace credo

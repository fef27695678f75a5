// list_customers and list_products: discovery, one bounded page per call.
//
// Rows come in the order of the dense customer / product index, which is the order the engine
// first saw each id (creation order; an id first named by a rejected order and created later
// keeps the earlier place). The index only ever grows and never reorders, so a position in it
// is a stable cursor: paging from the start to the end returns every row that existed
// throughout exactly once, whatever else happens between calls.
//
// Bounded work: one call examines at most kMaxPageExamined rows (matching or not) and returns at
// most `limit` rows, then answers with the cursor to go on from. A page may therefore be short,
// even empty, while next_cursor is still given: only an absent next_cursor means the end.
//
// The cursor is opaque to clients: one letter for the table ('c' customers, 'p' products) and
// the decimal index to start from. It is checked, not trusted: another table's cursor, any other
// spelling, or a position past the end of the table is BAD_REQUEST with field "cursor".
#include <charconv>
#include <system_error>

#include "engine/engine.h"
#include "engine/handlers.h"

namespace credo::internal {

namespace {

constexpr char kCustomerCursor = 'c';
constexpr char kProductCursor = 'p';

}  // namespace

// "c123": the table's letter and the index, without leading zeros.
Key cursor_at(char table, uint64_t index) {
  char buf[24];
  buf[0] = table;
  const char* end = std::to_chars(buf + 1, buf + sizeof buf, index).ptr;  // 20 digits fit
  return Key::of(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

// Where a page starts: 0 without a cursor, else the cursor's index. False with out.error set
// when the cursor is not one this table could have given out.
bool start_of(const std::optional<Key>& cursor, char table, std::size_t size, uint64_t* start,
              Result& out) {
  *start = 0;
  if (!cursor) return true;
  const std::string_view c = cursor->view();
  uint64_t index = 0;
  bool well_formed = c.size() >= 2 && c[0] == table && (c[1] != '0' || c.size() == 2);
  if (well_formed) {
    const char* end = c.data() + c.size();
    const auto [ptr, ec] = std::from_chars(c.data() + 1, end, index);  // digits only, no sign
    well_formed = ec == std::errc{} && ptr == end;
  }
  if (!well_formed || index > size)
    return fail(out, ErrorCode::BAD_REQUEST,
                "cursor: not a cursor this op gave out (pass next_cursor back unchanged)",
                "cursor");
  *start = index;
  return true;
}

bool limit_ok(uint32_t limit, Result& out) {
  if (kPageLimitRange.contains(limit)) return true;
  return fail(out, ErrorCode::BAD_REQUEST,
              "limit: must be an integer from " + limits::range_text(kPageLimitRange), "limit");
}

namespace {

bool has_prefix(std::string_view id, const std::optional<Key>& prefix) {
  return !prefix || id.starts_with(prefix->view());
}

// Walks rows [start, size) until `limit` matched or kMaxPageExamined were examined; calls
// emit(row, n) for the n-th match and returns the cursor to go on from (empty at the end).
template <typename Match, typename Emit>
Key walk(char table, uint64_t start, std::size_t size, uint32_t limit, Match match, Emit emit) {
  uint64_t i = start;
  uint32_t matched = 0;
  for (uint32_t examined = 0; i < size && matched < limit && examined < kMaxPageExamined;
       ++examined, ++i) {
    const auto row = static_cast<uint32_t>(i);
    if (!match(row)) continue;
    emit(row, matched++);
  }
  return i < size ? cursor_at(table, i) : Key{};
}

}  // namespace

void list_customers(const State& s, const ListCustomers& q, Result& out) {
  uint64_t start = 0;
  if (!limit_ok(q.limit, out) ||
      !start_of(q.cursor, kCustomerCursor, s.customers.size(), &start, out))
    return;
  CustomerList& list = out.emplace<CustomerList>();
  auto match = [&](uint32_t c) {
    const Customer& cust = s.customers[c];
    return cust.exists && (!q.status || cust.status == *q.status) &&
           (!q.grade || cust.grade == *q.grade) && has_prefix(s.customer_ids.view(c), q.prefix);
  };
  uint32_t rows = 0;
  auto emit = [&](uint32_t c, uint32_t n) {
    if (list.customers.size() <= n) list.customers.emplace_back();
    rows = n + 1;
    const Customer& cust = s.customers[c];
    CustomerRow& row = list.customers[n];
    row.customer = Key::of(s.customer_ids.view(c));
    row.name.assign(s.text_of(cust.name));
    row.grade = cust.grade;
    row.credit_limit = cust.credit_limit;
    row.terms_days = cust.terms_days;
    row.status = cust.status;
    const __int128 exposure = exposure_total(cust);
    row.exposure = clamp_money(exposure);
    row.available = clamp_money(static_cast<__int128>(cust.credit_limit) - exposure);
  };
  list.next_cursor = walk(kCustomerCursor, start, s.customers.size(), q.limit, match, emit);
  list.customers.resize(rows);
}

void list_products(const State& s, const ListProducts& q, Result& out) {
  uint64_t start = 0;
  if (!limit_ok(q.limit, out) ||
      !start_of(q.cursor, kProductCursor, s.products.size(), &start, out))
    return;
  ProductList& list = out.emplace<ProductList>();
  auto match = [&](uint32_t p) {
    return s.products[p].exists && has_prefix(s.skus.view(p), q.prefix);
  };
  uint32_t rows = 0;
  list.next_cursor =
      walk(kProductCursor, start, s.products.size(), q.limit, match, [&](uint32_t p, uint32_t n) {
        if (list.products.size() <= n) list.products.emplace_back();
        fill_product_view(s, p, list.products[n]);
        rows = n + 1;
      });
  list.products.resize(rows);
}

}  // namespace credo::internal

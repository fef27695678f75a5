// list_orders: the contract ledger (合同台帳), one bounded page per call, and the indexes that
// keep each filter cheap.
//
// Orders are numbered in submission order and business time never goes back, so the order
// index is also sorted by submission day: from/to are binary searches. A customer's orders and
// a principal's orders are kept as ascending lists of order indices (State::orders_by_customer,
// orders_by_principal), so those filters walk only that customer's or principal's orders, also
// cut by binary search to from/to. The other filters (status, ship_by_before, late) are checked
// row by row, at most kMaxPageExamined rows per call, like list_customers.
//
// The cursor is "o" and the index of the next order to examine: rows come in order_no order,
// so a cursor stays valid whatever happens between calls, and paging from the start to the end
// returns every order that matches throughout exactly once.
//
// The indexes are derived data: rebuilt from the orders on load, not written to the state image.
#include <algorithm>
#include <string>

#include "engine/handlers.h"

namespace credo::internal {

namespace {

constexpr char kOrderCursor = 'o';

bool is_open(OrderStatus st) {
  return st == OrderStatus::held || st == OrderStatus::accepted;
}

// The status filter: one name or several separated by commas, as a bit per OrderStatus.
bool parse_statuses(const std::optional<std::string>& text, uint32_t* mask, Result& out) {
  *mask = ~0u;
  if (!text) return true;
  *mask = 0;
  std::string_view rest = *text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view name = rest.substr(0, comma);
    bool known = false;
    for (int st = 0; st < kOrderStatusCount; ++st)
      if (name == to_string(static_cast<OrderStatus>(st))) {
        *mask |= 1u << st;
        known = true;
      }
    if (!known)
      return fail(out, ErrorCode::BAD_REQUEST,
                  "status: one or more of accepted, held, rejected, expired, cancelled, shipped, "
                  "separated by commas",
                  "status");
    if (comma == std::string_view::npos) return true;
    rest.remove_prefix(comma + 1);
  }
}

// The value of an order's units that shipped.
Money shipped_value(const State& s, const Order& o) {
  if (is_open(o.status)) return o.total - o.open_value;
  if (o.status == OrderStatus::shipped) return o.total;
  // Cancelled or expired after part of it shipped; rejected: nothing. What shipped was invoiced
  // at the lines' prices, so the invoices say it, also once the lines are archived.
  Money value = 0;
  for (uint32_t v = o.first_invoice; v != kNone; v = s.invoices[v].next_in_order)
    value += s.invoices[v].amount;  // <= the total: no overflow
  return value;
}

void fill_row(const State& s, uint32_t idx, Day today, OrderRow& row) {
  const Order& o = s.orders[idx];
  row.order_no = kFirstOrderNo + idx;
  row.client_order_id = o.client_order_id == kNone
                            ? Key{}
                            : Key::of(s.client_order_ids.view(o.client_order_id).substr(4));
  row.customer = Key::of(s.customer_ids.view(o.customer));
  row.status = o.status;
  row.total = o.total;
  row.shipped_value = shipped_value(s, o);
  row.unshipped_value = o.total - row.shipped_value;
  row.ship_by = o.ship_by == kNoDay ? std::nullopt : std::optional<Day>(o.ship_by);
  row.submitted_at = o.at;
  row.submitted_by = Key::of(s.principals.view(o.submitted_by));
  row.late = is_open(o.status) && o.ship_by != kNoDay && today > o.ship_by;
}

}  // namespace

void index_order(State& s, uint32_t idx) {
  const Order& o = s.orders[idx];
  if (s.orders_by_customer.size() <= o.customer) s.orders_by_customer.resize(o.customer + 1);
  s.orders_by_customer[o.customer].push_back(idx);
  if (s.orders_by_principal.size() <= o.submitted_by)
    s.orders_by_principal.resize(o.submitted_by + 1);
  s.orders_by_principal[o.submitted_by].push_back(idx);
}

void rebuild_order_indexes(State& s) {
  s.orders_by_customer.clear();
  s.orders_by_principal.clear();
  for (uint32_t i = 0; i < s.orders.size(); ++i) {
    s.orders[i].last_amendment = kNone;
    // A corrupt image's index is left out (and reported by check_order_indexes), never used.
    if (s.orders[i].customer < s.customers.size() &&
        s.orders[i].submitted_by < s.principals.size())
      index_order(s, i);
  }
  for (uint32_t a = 0; a < s.amendments.size(); ++a) {
    Amendment& rec = s.amendments[a];
    if (rec.order >= s.orders.size()) continue;  // check_order_indexes reports it
    rec.prev = s.orders[rec.order].last_amendment;
    s.orders[rec.order].last_amendment = a;
  }
}

std::string check_order_indexes(const State& s) {
  auto check = [&](const std::vector<ChunkedList<uint32_t>>& lists, const char* what,
                   auto owner) -> std::string {
    std::size_t count = 0;
    for (std::size_t k = 0; k < lists.size(); ++k) {
      for (std::size_t j = 0; j < lists[k].size(); ++j) {
        const uint32_t idx = lists[k][j];
        if (idx >= s.orders.size() || owner(s.orders[idx]) != k ||
            (j > 0 && lists[k][j - 1] >= idx))
          return std::string("orders by ") + what + " " + std::to_string(k) + ": entry " +
                 std::to_string(j) + " is out of place";
      }
      count += lists[k].size();
    }
    if (count != s.orders.size())
      return std::string("orders by ") + what + " list " + std::to_string(count) + " of " +
             std::to_string(s.orders.size()) + " orders";
    return {};
  };
  std::string why = check(s.orders_by_customer, "customer", [](const Order& o) {
    return o.customer;
  });
  if (why.empty())
    why = check(s.orders_by_principal, "principal", [](const Order& o) { return o.submitted_by; });
  if (!why.empty()) return why;
  if (s.amendment_keys.size() != s.amendments.size()) return "amendments vs their keys count";
  for (uint32_t a = 0; a < s.amendment_keys.size(); ++a) {
    const std::string_view k = s.amendment_keys.view(a);
    if (k.size() < 5 || !Key::valid(k.substr(4))) return "amendment " + std::to_string(a) + ": key";
  }
  auto text_ok = [&](Text t) {
    return t.offset <= s.text.size() && t.len <= s.text.size() - t.offset;
  };
  std::vector<uint32_t> last(s.orders.size(), kNone);
  for (uint32_t a = 0; a < s.amendments.size(); ++a) {
    const Amendment& rec = s.amendments[a];
    // An amendment of an order not archived reads its lines and reasons: none may be released.
    const bool live = rec.order < s.orders.size() && !s.archived(rec.order);
    if (rec.order >= s.orders.size() || rec.prev != last[rec.order] ||
        (live && (rec.old_first_line < s.lines.floor() || rec.new_first_line < s.lines.floor() ||
                  (rec.reason_count != 0 && rec.first_reason < s.reasons.floor()))) ||
        uint64_t{rec.old_first_line} + rec.old_line_count > s.lines.size() ||
        uint64_t{rec.new_first_line} + rec.new_line_count > s.lines.size() ||
        uint64_t{rec.first_reason} + rec.reason_count > s.reasons.size() ||
        rec.principal >= s.principals.size() || !text_ok(rec.old_ref) ||
        !text_ok(rec.new_ref) || static_cast<int>(rec.decision) >= kOrderStatusCount)
      return "amendment " + std::to_string(a) + ": out of range or mislinked";
    last[rec.order] = a;
  }
  for (uint32_t i = 0; i < s.orders.size(); ++i)
    if (s.orders[i].last_amendment != last[i])
      return "order " + std::to_string(kFirstOrderNo + i) + ": last amendment is wrong";
  return {};
}

void list_orders(const State& s, const ListOrders& q, Day today, Result& out) {
  uint64_t start = 0;
  uint32_t statuses = 0;
  if (!limit_ok(q.limit, out) || !start_of(q.cursor, kOrderCursor, s.orders.size(), &start, out) ||
      !parse_statuses(q.status, &statuses, out))
    return;
  if (q.from && q.to && *q.from > *q.to) {
    fail(out, ErrorCode::BAD_REQUEST, "from must not be after to", "from");
    return;
  }
  uint32_t customer = kNone;
  if (q.customer) {
    customer = Key::valid(q.customer->view()) ? s.customer_ids.find(q.customer->view()) : kNone;
    if (customer == kNone) {
      fail(out, ErrorCode::NOT_FOUND, "no customer '" + std::string(q.customer->view()) + "'",
           "customer");
      return;
    }
  }
  OrderList& list = out.emplace<OrderList>();
  list.next_cursor = Key{};
  uint32_t rows = 0;
  // The orders to walk: every order, or the shorter of the customer's and the principal's.
  static const ChunkedList<uint32_t> kNoOrders;
  const ChunkedList<uint32_t>* index = nullptr;
  auto narrow = [&](const std::vector<ChunkedList<uint32_t>>& lists, uint32_t key) {
    const ChunkedList<uint32_t>& l = key < lists.size() ? lists[key] : kNoOrders;
    if (!index || l.size() < index->size()) index = &l;
  };
  if (customer != kNone) narrow(s.orders_by_customer, customer);
  if (q.submitted_by) {
    const uint32_t p =
        Key::valid(q.submitted_by->view()) ? s.principals.find(q.submitted_by->view()) : kNone;
    narrow(s.orders_by_principal, p == kNone ? UINT32_MAX : p);
  }
  const std::size_t size = index ? index->size() : s.orders.size();
  auto order_at = [&](std::size_t pos) {
    return index ? (*index)[pos] : static_cast<uint32_t>(pos);
  };
  // [pos, end): positions from the cursor and `from` up to `to`, by binary search.
  auto first_pos = [&](auto before) {
    std::size_t lo = 0, hi = size;
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (before(order_at(mid)))
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
  };
  std::size_t pos = first_pos([&](uint32_t idx) { return idx < start; });
  if (q.from)
    pos = std::max(pos, first_pos([&](uint32_t idx) { return s.orders[idx].day < *q.from; }));
  const std::size_t end =
      q.to ? first_pos([&](uint32_t idx) { return s.orders[idx].day <= *q.to; }) : size;
  const uint32_t principal =
      q.submitted_by && Key::valid(q.submitted_by->view())
          ? s.principals.find(q.submitted_by->view())
          : kNone;
  auto match = [&](const Order& o) {
    if (!(statuses & (1u << static_cast<int>(o.status)))) return false;
    if (customer != kNone && o.customer != customer) return false;
    if (q.submitted_by && o.submitted_by != principal) return false;
    if (q.ship_by_before && !(o.ship_by < *q.ship_by_before)) return false;
    if (q.late && (*q.late != (is_open(o.status) && o.ship_by != kNoDay && today > o.ship_by)))
      return false;
    return true;
  };
  for (uint32_t examined = 0; pos < end && rows < q.limit && examined < kMaxPageExamined;
       ++examined, ++pos) {
    const uint32_t idx = order_at(pos);
    if (!match(s.orders[idx])) continue;
    if (list.orders.size() <= rows) list.orders.emplace_back();
    fill_row(s, idx, today, list.orders[rows++]);
  }
  list.orders.resize(rows);
  if (pos < end) list.next_cursor = cursor_at(kOrderCursor, order_at(pos));
}

}  // namespace credo::internal

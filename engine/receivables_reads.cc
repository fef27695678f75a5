// Reads of receivables: aging (now, as of a past day from the history, by due or invoice date,
// with the dues coming up) and open_items (one row per open invoice with its collection stage).
//
// Work per call:
//   aging, as_of today or later: O(customers + open invoices), as before (the whole book), or
//     O(the customer's open invoices) with `customer`.
//   aging, as_of a past day: needs `customer` (BAD_REQUEST otherwise) and costs O(k log k + m)
//     for a customer with k invoices and m settlements ever: the invoices issued by that day
//     are taken from the customer's ledger, then every settlement dated up to that day is
//     subtracted. A whole-book aging of the past is a per-customer loop the client runs.
//   open_items: at most kMaxPageExamined customers and rows examined per call, limit rows.
#include <algorithm>
#include <charconv>
#include <string>

#include "engine/handlers.h"

namespace credo {

const char* to_string(CollectionStage st) {
  static constexpr const char* kNames[] = {"current", "overdue", "dunning", "doubtful"};
  return kNames[static_cast<int>(st)];
}

namespace internal {

namespace {

// Past 30 days past due an invoice is in dunning (催收款, 004 9-05 §2-8).
constexpr int32_t kDunningAfterDays = 30;

void add_to_bucket(AgingBuckets& b, int32_t days, Money open) {
  Money& bucket = days <= 0    ? b.current
                  : days <= 30 ? b.d1_30
                  : days <= 60 ? b.d31_60
                  : days <= 90 ? b.d61_90
                               : b.d90_plus;
  bucket += open;  // <= receivables: cannot overflow
  b.total += open;
}

int32_t age_of(const Invoice& inv, Day d, AgingBasis basis) {
  return d - (basis == AgingBasis::due_date ? inv.due : inv.issued);
}

void add_due_within(const Invoice& inv, Day d, int32_t within, Money open, Money* sum) {
  if (within > 0 && inv.due > d && inv.due - d <= within) *sum += open;
}

// Customer c's aging as it stood at the end of day d (d <= today), from the history.
AgingBuckets aging_as_of(const State& s, uint32_t c, Day d, AgingBasis basis, int32_t within,
                         Money* due_within_sum) {
  struct Open {
    uint32_t inv;
    Money open;
  };
  static thread_local std::vector<Open> opens;
  opens.clear();
  const Customer& cust = s.customers[c];
  // Invoices issued by day d, in increasing index (the ledger is chronological and invoice
  // numbers grow with time).
  for (uint32_t e : cust.ledger) {
    const LedgerEntry& entry = s.ledger[e];
    if (entry.date > d) break;
    if (entry.kind == EntryKind::invoice)
      opens.push_back({static_cast<uint32_t>(entry.number - 1), entry.amount});
  }
  for (uint32_t st_idx : cust.settlements) {
    const Settlement& st = s.settlements[st_idx];
    if (st.day > d) break;
    auto it = std::lower_bound(opens.begin(), opens.end(), st.invoice,
                               [](const Open& o, uint32_t inv) { return o.inv < inv; });
    CREDO_ASSERT(it != opens.end() && it->inv == st.invoice, "a settlement follows its invoice");
    it->open -= st.amount;
  }
  AgingBuckets b;
  for (const Open& o : opens) {
    if (o.open == 0) continue;
    const Invoice& inv = s.invoices[o.inv];
    add_to_bucket(b, age_of(inv, d, basis), o.open);
    add_due_within(inv, d, within, o.open, due_within_sum);
  }
  return b;
}

bool find_existing(const State& s, const Key& k, uint32_t* c, Result& out) {
  *c = Key::valid(k.view()) ? find_customer(s, k) : kNone;
  if (*c != kNone) return true;
  return fail(out, ErrorCode::NOT_FOUND, "no customer '" + std::string(k.view()) + "'", "customer");
}

void add_buckets(AgingBuckets& into, const AgingBuckets& b) {
  into.current = sat_add(into.current, b.current);
  into.d1_30 = sat_add(into.d1_30, b.d1_30);
  into.d31_60 = sat_add(into.d31_60, b.d31_60);
  into.d61_90 = sat_add(into.d61_90, b.d61_90);
  into.d90_plus = sat_add(into.d90_plus, b.d90_plus);
  into.total = sat_add(into.total, b.total);
}

// open_items' cursor: "<customer index>.<invoice index>" (the first row of the next page), or
// "<customer index>" (the next page starts with that customer).
Key cursor_of(uint32_t c, uint32_t inv) {
  return Key::of(std::to_string(c) + (inv == kNone ? "" : "." + std::to_string(inv)));
}
bool parse_cursor(const State& s, const Key& k, uint32_t* c, uint32_t* inv) {
  const std::string_view v = k.view();
  const char* end = v.data() + v.size();
  const std::size_t dot = std::min(v.find('.'), v.size());
  auto [p1, e1] = std::from_chars(v.data(), v.data() + dot, *c);
  if (e1 != std::errc{} || p1 != v.data() + dot || *c >= s.customers.size()) return false;
  *inv = kNone;
  if (dot == v.size()) return true;
  auto [p2, e2] = std::from_chars(v.data() + dot + 1, end, *inv);
  return e2 == std::errc{} && p2 == end && *inv < s.invoices.size() &&
         s.invoices[*inv].customer == *c;
}

}  // namespace

AgingBuckets aging_open(const State& s, uint32_t c, Day d, AgingBasis basis, int32_t within,
                        Money* due_within_sum) {
  AgingBuckets b;
  for (uint32_t i : s.customers[c].open_invoices) {
    const Invoice& inv = s.invoices[i];
    add_to_bucket(b, age_of(inv, d, basis), inv.open);
    add_due_within(inv, d, within, inv.open, due_within_sum);
  }
  return b;
}

void aging(const State& s, const AgingQuery& q, Day today, Result& out) {
  const Day d = q.as_of.value_or(today);
  const int32_t within = q.due_within_days.value_or(0);
  if (q.due_within_days && !kDueWithinDaysRange.contains(within)) {
    fail(out, ErrorCode::BAD_REQUEST,
         "due_within_days must be " + limits::range_text(kDueWithinDaysRange), "due_within_days");
    return;
  }
  if (d < today && !q.customer) {
    fail(out, ErrorCode::BAD_REQUEST,
         "an aging as of a past day is per customer: give customer (the work is bounded by one "
         "customer's history)",
         "as_of");
    return;
  }
  uint32_t c = kNone;
  if (q.customer && !find_existing(s, *q.customer, &c, out)) return;
  AgingView& v = out.emplace<AgingView>();
  v = AgingView{};
  v.as_of = d;
  v.basis = q.basis;
  v.due_within_days = within;
  if (c != kNone) {
    v.per_customer = true;
    v.customer = *q.customer;
    // An explicit day up to today reads the history (so as_of today checks it against now).
    v.buckets = q.as_of && d <= today ? aging_as_of(s, c, d, q.basis, within, &v.due_within)
                                      : aging_open(s, c, d, q.basis, within, &v.due_within);
    v.customers_with_receivables = v.buckets.total > 0;
    return;
  }
  for (uint32_t i = 0; i < s.customers.size(); ++i) {
    if (s.customers[i].open_invoices.empty()) continue;
    Money within_sum = 0;
    const AgingBuckets b = aging_open(s, i, d, q.basis, within, &within_sum);
    v.due_within = sat_add(v.due_within, within_sum);
    add_buckets(v.buckets, b);
    ++v.customers_with_receivables;
    const Money overdue = b.total - b.current;
    if (overdue > 0) v.top.push_back({Key::of(s.customer_ids.view(i)), b, overdue});
  }
  constexpr std::size_t kTop = 100;
  auto by_overdue = [](const AgingView::Row& a, const AgingView::Row& b) {
    return a.overdue != b.overdue ? a.overdue > b.overdue : a.customer.view() < b.customer.view();
  };
  if (v.top.size() > kTop) {
    std::partial_sort(v.top.begin(), v.top.begin() + kTop, v.top.end(), by_overdue);
    v.top.resize(kTop);
  } else {
    std::sort(v.top.begin(), v.top.end(), by_overdue);
  }
}

void open_items(const State& s, const OpenItemsQuery& q, Day today, Result& out) {
  if (q.limit < 1 || q.limit > kMaxPageLimit) {
    fail(out, ErrorCode::BAD_REQUEST, "limit must be " + limits::range_text(kPageLimitRange),
         "limit");
    return;
  }
  uint32_t only = kNone;
  if (q.customer && !find_existing(s, *q.customer, &only, out)) return;
  uint32_t c = only == kNone ? 0 : only;
  uint32_t from_inv = kNone;  // resume within customer c at this invoice's place
  if (q.cursor) {
    if (!parse_cursor(s, *q.cursor, &c, &from_inv) || (only != kNone && c != only)) {
      fail(out, ErrorCode::BAD_REQUEST, "cursor is not one this query gave out", "cursor");
      return;
    }
  }
  const Day d = q.as_of.value_or(today);
  const int32_t doubtful = s.policy.doubtful_after_days;
  OpenItemsView& v = out.emplace<OpenItemsView>();
  v.as_of = d;
  v.items.clear();
  v.next_cursor = Key{};
  uint32_t examined = 0;
  const uint32_t end = only == kNone ? static_cast<uint32_t>(s.customers.size()) : only + 1;
  for (; c < end; ++c, from_inv = kNone) {
    const std::vector<uint32_t>& open = s.customers[c].open_invoices;
    auto it = open.begin();
    if (from_inv != kNone) {
      const Invoice& at = s.invoices[from_inv];
      it = std::lower_bound(open.begin(), open.end(), from_inv, [&](uint32_t a, uint32_t b) {
        const Day da = s.invoices[a].due;
        return da != at.due ? da < at.due : a < b;
      });
    }
    if (++examined > kMaxPageExamined) {
      v.next_cursor = cursor_of(c, it == open.end() ? kNone : *it);
      return;
    }
    for (; it != open.end(); ++it) {
      if (v.items.size() == q.limit || ++examined > kMaxPageExamined) {
        v.next_cursor = cursor_of(c, *it);
        return;
      }
      const Invoice& inv = s.invoices[*it];
      OpenItemRow row;
      row.customer = Key::of(s.customer_ids.view(c));
      row.invoice_no = *it + 1;
      row.order_no = kFirstOrderNo + inv.order;
      row.invoice_date = inv.issued;
      row.due_date = inv.due;
      row.days_past_due = std::max(0, d - inv.due);
      row.amount = inv.amount;
      row.open = inv.open;
      row.stage = row.days_past_due == 0                  ? CollectionStage::current
                  : row.days_past_due <= kDunningAfterDays ? CollectionStage::overdue
                  : row.days_past_due <= doubtful          ? CollectionStage::dunning
                                                           : CollectionStage::doubtful;
      v.items.push_back(row);
    }
  }
}

void invoice_lines_of(const State& s, uint32_t inv,
                      std::vector<StatementView::Entry::Line>& lines) {
  if (inv >= s.invoice_first_line.size()) return;  // issued before lines were kept
  const uint32_t first = s.invoice_first_line[inv];
  const uint32_t last = inv + 1 < s.invoice_first_line.size()
                            ? s.invoice_first_line[inv + 1]
                            : static_cast<uint32_t>(s.invoice_lines.size());
  for (uint32_t l = first; l < last; ++l) {
    const InvoiceLine& line = s.invoice_lines[l];
    lines.push_back({Key::of(s.skus.view(line.product)), line.qty, line.amount});
  }
}

}  // namespace internal
}  // namespace credo

// Bookkeeping moves shared by several commands: open lists, status changes, events, applying
// unapplied balances, the overdue ladder, the ledger.
#include <algorithm>

#include "engine/handlers.h"

namespace credo {

namespace {
bool row_before(const DailyRow& r, Day d) {
  return r.day < d;
}
}  // namespace

DailyAgg& State::daily_at(Day d) {
  if (!daily.empty() && daily.back().day == d) return daily.back().agg;  // today: the hot path
  if (daily.empty() || daily.back().day < d) return daily.emplace_back(DailyRow{d, {}}).agg;
  // An earlier day: a late status change of an older order (e.g. shipping it).
  auto it = std::lower_bound(daily.begin(), daily.end(), d, row_before);
  if (it == daily.end() || it->day != d) it = daily.insert(it, DailyRow{d, {}});
  return it->agg;
}

const DailyAgg* State::daily_find(Day d) const {
  auto it = std::lower_bound(daily.begin(), daily.end(), d, row_before);
  return it != daily.end() && it->day == d ? &it->agg : nullptr;
}

namespace internal {

bool fail(Result& out, ErrorCode code, std::string message, std::string field) {
  out.error.code = code;
  out.error.message = std::move(message);
  out.error.field = std::move(field);
  return false;
}

__int128 exposure_total(const Customer& c) {
  return static_cast<__int128>(c.open_orders) + c.held + c.receivables - c.unapplied;
}

Money clamp_money(__int128 v) {
  if (v > kMoneyMax) return kMoneyMax;
  if (v < INT64_MIN) return INT64_MIN;
  return static_cast<Money>(v);
}

void fill_credit(const State& s, uint32_t customer, CreditView& c) {
  const Customer& cust = s.customers[customer];
  const __int128 exposure = exposure_total(cust);
  c.limit = cust.credit_limit;
  c.exposure = clamp_money(exposure);
  c.available = clamp_money(static_cast<__int128>(cust.credit_limit) - exposure);
}

void list_push(State& s, OpenList list, uint32_t idx) {
  ListEnds& ends = list == OpenList::held ? s.held_list : s.accepted_list;
  Order& o = s.orders[idx];
  CREDO_ASSERT(o.list == OpenList::none, "an order is on at most one open list");
  CREDO_ASSERT(o.status == (list == OpenList::held ? OrderStatus::held : OrderStatus::accepted));
  o.list = list;
  o.prev = ends.tail;
  o.next = kNone;
  if (ends.tail != kNone)
    s.orders[ends.tail].next = idx;
  else
    ends.head = idx;
  ends.tail = idx;
}

void list_remove(State& s, uint32_t idx) {
  Order& o = s.orders[idx];
  if (o.list == OpenList::none) return;
  ListEnds& ends = o.list == OpenList::held ? s.held_list : s.accepted_list;
  if (o.prev != kNone)
    s.orders[o.prev].next = o.next;
  else
    ends.head = o.next;
  if (o.next != kNone)
    s.orders[o.next].prev = o.prev;
  else
    ends.tail = o.prev;
  o.prev = o.next = kNone;
  o.list = OpenList::none;
}

void set_status(State& s, uint32_t idx, OrderStatus status) {
  Order& o = s.orders[idx];
  DailyAgg& day = s.daily_at(o.day);
  const int from = static_cast<int>(o.status), to = static_cast<int>(status);
  CREDO_ASSERT(day.count_by_status[from] > 0, "the order's day counts it under its status");
  day.count_by_status[from] -= 1;
  day.value_by_status[from] = sat_add(day.value_by_status[from], -o.total);
  day.count_by_status[to] += 1;
  day.value_by_status[to] = sat_add(day.value_by_status[to], o.total);
  o.status = status;
}

uint32_t add_event(State& s, uint32_t order, EventKind kind, const Principal* by, TimeMs at,
                   uint64_t number, Money amount, std::string_view text) {
  CREDO_ASSERT(order < s.orders.size());
  EventRec e;
  e.kind = kind;
  e.principal = by ? s.principals.intern(by->name.view()) : kNone;
  e.at = at;
  e.number = number;
  e.amount = amount;
  if (!text.empty()) e.text = s.add_text(text);
  const uint32_t id = static_cast<uint32_t>(s.events.size());
  s.events.push_back(e);
  note_live_event(s, id);  // engine/archive.cc
  Order& o = s.orders[order];
  if (o.last_event != kNone)
    s.events[o.last_event].next = id;
  else
    o.first_event = id;
  o.last_event = id;
  return id;
}

void remove_open_invoice(State& s, uint32_t inv) {
  std::vector<uint32_t>& open = s.customers[s.invoices[inv].customer].open_invoices;
  auto it = std::find(open.begin(), open.end(), inv);
  if (it != open.end()) open.erase(it);
}

void apply_unapplied(State& s, uint32_t customer, std::vector<Application>* applied,
                     SettleSource source) {
  Customer& c = s.customers[customer];
  std::size_t closed = 0;
  for (uint32_t inv : c.open_invoices) {
    if (c.unapplied == 0) break;
    Invoice& invoice = s.invoices[inv];
    const Money x = std::min(c.unapplied, invoice.open);
    invoice.open -= x;
    c.receivables -= x;
    c.unapplied -= x;
    note_settlement(s, inv, x, source);
    if (applied) applied->push_back({static_cast<InvoiceNo>(inv) + 1, x});
    if (invoice.open == 0)
      ++closed;
    else
      break;
  }
  c.open_invoices.erase(c.open_invoices.begin(),
                        c.open_invoices.begin() + static_cast<std::ptrdiff_t>(closed));
}

int ladder_check(State& s, uint32_t customer) {
  Customer& c = s.customers[customer];
  const Day today = s.today();
  const int32_t days_past_due =
      c.open_invoices.empty() ? 0 : today - s.invoices[c.open_invoices.front()].due;
  if (days_past_due <= 0) {
    c.ladder_override = false;
    if (c.status == CustomerStatus::on_hold && c.suspended_by_ladder) {
      const CreditTerms before = credit_terms(c);
      c.status = CustomerStatus::active;
      c.suspended_by_ladder = false;
      c.status_reason = Text{};
      record_credit(s, customer, CreditChange::ladder,
                    CreditRecord(nullptr, before, "OVERDUE_CLEARED"));
      return -1;
    }
    return 0;
  }
  if (c.status == CustomerStatus::active && !c.ladder_override &&
      days_past_due > s.policy.suspend_after_days) {
    const CreditTerms before = credit_terms(c);
    c.status = CustomerStatus::on_hold;
    c.suspended_by_ladder = true;
    c.status_reason = s.add_text("OVERDUE_SUSPENSION");
    record_credit(s, customer, CreditChange::ladder,
                  CreditRecord(nullptr, before, "OVERDUE_SUSPENSION"));
    return +1;
  }
  return 0;
}

uint32_t add_ledger(State& s, uint32_t customer, EntryKind kind, uint64_t number, uint32_t payment,
                    Money amount) {
  Customer& c = s.customers[customer];
  Money balance = 0;
  // Callers have checked it (bad input gets BAD_REQUEST before anything changes).
  CREDO_ASSERT(!add_overflows(c.ledger_balance, amount, &balance), "ledger balance overflow");
  c.ledger_balance = balance;
  const uint32_t id = static_cast<uint32_t>(s.ledger.size());
  s.ledger.push_back({kind, s.today(), number, payment, amount, c.ledger_balance});
  c.ledger.push_back(id);
  return id;
}

}  // namespace internal
}  // namespace credo

// Engine::query: quotes, get_*, list_held and the reports. Read-only; never journaled.
#include <algorithm>

#include "engine/authority.h"
#include "engine/engine.h"
#include "engine/handlers.h"

namespace credo {

using namespace internal;

const char* to_string(EntryKind k) {
  static constexpr const char* kNames[] = {"invoice",  "payment", "credit_note", "write_off",
                                           "reversal", "refund",  "recovery"};
  return kNames[static_cast<int>(k)];
}

namespace internal {

void fill_order_view(const State& s, uint32_t idx, bool with_events, OrderView& v) {
  const Order& o = s.orders[idx];
  v.order_no = kFirstOrderNo + idx;
  v.customer = Key::of(s.customer_ids.view(o.customer));
  if (o.client_order_id != kNone) {
    std::string_view k = s.client_order_ids.view(o.client_order_id);
    v.client_order_id = Key::of(k.substr(4));
  } else {
    v.client_order_id = Key{};
  }
  v.status = o.status;
  v.decision = o.decision;
  v.payment = o.payment;
  v.archived = s.archived(idx);  // its lines, reasons and events are empty (engine/archive.cc)
  v.reasons.clear();
  for (uint32_t r = o.first_reason; r < o.first_reason + o.reason_count; ++r)
    v.reasons.push_back(s.reasons[r]);
  v.lines.clear();
  for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l) {
    const OrderLine& line = s.lines[l];
    v.lines.push_back({Key::of(s.skus.view(line.product)), line.qty, line.unit_price,
                       line.discount_bp, line.amount, line.shipped, line.returned,
                       line.price_source});
  }
  v.total = o.total;
  v.deposit_due = o.deposit_due;
  v.deposit_paid = o.deposit_paid;
  v.has_credit = s.customers[o.customer].exists;
  if (v.has_credit)
    fill_credit(s, o.customer, v.credit);
  else
    v.credit = CreditView{};
  v.at = o.at;
  v.ship_by = o.ship_by == kNoDay ? std::nullopt : std::optional<Day>(o.ship_by);
  v.ref.assign(s.text_of(o.ref));
  v.submitted_by = Key::of(s.principals.view(o.submitted_by));
  v.quote = false;
  v.duplicate = false;
  v.with_events = with_events;
  fill_approvals(s, o, v);
  v.events.clear();
  v.version = o.last_amendment == kNone ? 1 : s.amendments[o.last_amendment].version;
  v.amendments.clear();
  if (!with_events || v.archived) return;
  fill_amendments(s, idx, v);
  EventView submitted;
  submitted.kind = EventKind::submitted;
  submitted.principal = v.submitted_by;
  submitted.at = o.at;
  submitted.amount = o.total;
  v.events.push_back(std::move(submitted));
  for (uint32_t e = o.first_event; e != kNone; e = s.events[e].next) {
    const EventRec& rec = s.events[e];
    EventView ev;
    ev.kind = rec.kind;
    ev.principal =
        rec.principal == kNone ? Key::of("system") : Key::of(s.principals.view(rec.principal));
    ev.at = rec.at;
    ev.number = rec.number;
    ev.amount = rec.amount;
    ev.text.assign(s.text_of(rec.text));
    v.events.push_back(std::move(ev));
  }
}

void fill_customer_view(const State& s, uint32_t c, Day today, CustomerView& v) {
  const Customer& cust = s.customers[c];
  v.customer = Key::of(s.customer_ids.view(c));
  v.name.assign(s.text_of(cust.name));
  v.grade = cust.grade;
  v.credit_limit = cust.credit_limit;
  v.terms_days = cust.terms_days;
  v.status = cust.status;
  v.status_reason.assign(s.text_of(cust.status_reason));
  v.exposure.open_orders = cust.open_orders;
  v.exposure.held = cust.held;
  v.exposure.receivables = cust.receivables;
  v.exposure.unapplied = cust.unapplied;
  const __int128 total = exposure_total(cust);
  v.exposure.total = clamp_money(total);
  v.available = clamp_money(static_cast<__int128>(cust.credit_limit) - total);
  v.prepaid_reserved = cust.prepaid_reserved;
  v.oldest_overdue_days =
      cust.open_invoices.empty()
          ? 0
          : std::max<int32_t>(0, today - s.invoices[cust.open_invoices.front()].due);
  v.review_due = cust.review_due;
}

void fill_product_view(const State& s, uint32_t p, ProductView& v) {
  const Product& prod = s.products[p];
  v.sku = Key::of(s.skus.view(p));
  v.name.assign(s.text_of(prod.name));
  v.price = prod.price;
  v.floor_price = prod.floor_price;
  v.on_hand = prod.on_hand;
  v.reserved = prod.reserved;
  v.available = prod.on_hand - prod.reserved;
}

AgingBuckets aging_of(const State& s, uint32_t c, Day today) {
  AgingBuckets b;
  for (uint32_t inv : s.customers[c].open_invoices) {
    const Invoice& invoice = s.invoices[inv];
    const int32_t days = today - invoice.due;
    Money& bucket = days <= 0    ? b.current
                    : days <= 30 ? b.d1_30
                    : days <= 60 ? b.d31_60
                    : days <= 90 ? b.d61_90
                                 : b.d90_plus;
    bucket += invoice.open;  // <= receivables: cannot overflow
    b.total += invoice.open;
  }
  return b;
}

// The answer to a decision, built from the request and the Decision rather than read back from
// the stored order: the request already holds every id, so no interner lookups are needed.
void fill_decision_view(const State& s, const OrderRequest& req, const Decision& d,
                        const Principal& by, TimeMs at, OrderView& v) {
  v.order_no = 0;
  v.customer = req.customer;
  v.client_order_id = req.client_order_id;
  v.status = v.decision = d.status;
  v.payment = req.payment;
  v.reasons.assign(d.reasons.begin(), d.reasons.end());
  v.lines.clear();
  v.lines.reserve(d.lines.size());  // past 4 lines: one allocation, not one per doubling
  for (std::size_t i = 0; i < d.lines.size(); ++i) {
    const LineCalc& lc = d.lines[i];
    v.lines.push_back(
        {req.lines[i].sku, req.lines[i].qty, lc.unit_price, lc.discount_bp, lc.amount, 0, 0,
         lc.source});
  }
  v.total = d.total;
  v.deposit_due = d.deposit_due;
  v.deposit_paid = 0;
  v.has_credit = d.customer != kNone;
  if (v.has_credit)
    fill_credit(s, d.customer, v.credit);
  else
    v.credit = CreditView{};
  v.at = at;
  v.ship_by = req.ship_by;
  v.ref = req.ref;
  v.submitted_by = by.name;
  v.quote = false;
  v.duplicate = false;
  v.with_events = false;
  v.events.clear();
  v.version = 1;
  v.amendments.clear();
}

}  // namespace internal

namespace {

bool find_existing_customer(const State& s, const Key& k, uint32_t* c, Result& out) {
  *c = Key::valid(k.view()) ? find_customer(s, k) : kNone;
  if (*c != kNone) return true;
  return fail(out, ErrorCode::NOT_FOUND, "no customer '" + std::string(k.view()) + "'", "customer");
}

void quote(const State& s, const Query& q, const Quote& body, Result& out) {
  static thread_local Decision d;
  const TimeMs now = std::max(s.now, q.at);
  if (!decide(s, body.order, q.by, now, d, out)) return;
  OrderView& v = out.emplace<OrderView>();
  fill_decision_view(s, body.order, d, q.by, now, v);
  v.quote = true;
}

void get_order(const State& s, const GetOrder& body, Result& out) {
  uint32_t idx = kNone;
  if (body.order_no != 0) {
    if (body.order_no >= kFirstOrderNo && body.order_no - kFirstOrderNo < s.orders.size())
      idx = static_cast<uint32_t>(body.order_no - kFirstOrderNo);
    if (idx == kNone) {
      fail(out, ErrorCode::NOT_FOUND, "no order " + std::to_string(body.order_no), "order_no");
      return;
    }
  } else {
    if (!Key::valid(body.customer.view()) || !Key::valid(body.client_order_id.view())) {
      fail(out, ErrorCode::BAD_REQUEST, "get_order needs order_no, or customer and client_order_id",
           "order_no");
      return;
    }
    idx = find_client_order(s, body.customer, body.client_order_id);
    if (idx == kNone) {
      fail(out, ErrorCode::NOT_FOUND,
           "no order '" + std::string(body.client_order_id.view()) + "' for customer '" +
               std::string(body.customer.view()) + "'",
           "client_order_id");
      return;
    }
  }
  fill_order_view(s, idx, true, out.emplace<OrderView>());
}

void list_held(const State& s, const ListHeld& body, Result& out) {
  if (body.limit < 1 || body.limit > kMaxListLimit) {
    fail(out, ErrorCode::BAD_REQUEST, "limit must be " + limits::range_text(kListLimitRange),
         "limit");
    return;
  }
  uint32_t c = kNone;
  if (body.customer && !find_existing_customer(s, *body.customer, &c, out)) return;
  HeldList& list = out.emplace<HeldList>();
  std::size_t n = 0;
  for (uint32_t idx = s.held_list.head; idx != kNone && n < body.limit; idx = s.orders[idx].next) {
    const Order& o = s.orders[idx];
    if (c != kNone && o.customer != c) continue;
    if (body.reason) {
      bool has = false;
      for (uint32_t r = o.first_reason; r < o.first_reason + o.reason_count; ++r)
        has |= s.reasons[r].code == *body.reason;
      if (!has) continue;
    }
    if (list.orders.size() <= n) list.orders.emplace_back();
    fill_order_view(s, idx, false, list.orders[n++]);
  }
  list.orders.resize(n);
}

void statement(const State& s, const StatementQuery& body, Day today, Result& out) {
  uint32_t c;
  if (!find_existing_customer(s, body.customer, &c, out)) return;
  if (body.from > body.to) {
    fail(out, ErrorCode::BAD_REQUEST, "from must not be after to", "from");
    return;
  }
  const std::vector<uint32_t>& ledger = s.customers[c].ledger;
  auto date_of = [&](uint32_t e) { return s.ledger[e].date; };
  auto first = std::lower_bound(ledger.begin(), ledger.end(), body.from,
                                [&](uint32_t e, Day d) { return date_of(e) < d; });
  auto last = std::upper_bound(ledger.begin(), ledger.end(), body.to,
                               [&](Day d, uint32_t e) { return d < date_of(e); });
  StatementView& v = out.emplace<StatementView>();
  v.customer = body.customer;
  v.from = body.from;
  v.to = body.to;
  v.opening_balance = first == ledger.begin() ? 0 : s.ledger[*(first - 1)].balance;
  v.closing_balance = last == ledger.begin() ? 0 : s.ledger[*(last - 1)].balance;
  v.entries.clear();
  v.truncated = false;
  v.detail = body.detail;
  std::size_t rows = 0;  // entries and detail lines, together at most kMaxStatementEntries
  for (auto it = first; it != last; ++it) {
    if (rows >= kMaxStatementEntries) {
      v.truncated = true;
      break;
    }
    const LedgerEntry& e = s.ledger[*it];
    StatementView::Entry entry;
    entry.kind = e.kind;
    entry.date = e.date;
    entry.number = e.number;
    entry.ref = e.payment != kNone          ? Key::of(s.payment_refs.view(e.payment))
                : e.kind == EntryKind::refund ? Key::of(s.refund_refs.view(e.number - 1))
                                              : Key{};
    entry.amount = e.amount;
    entry.balance = e.balance;
    if (e.kind == EntryKind::invoice) {
      entry.order_no = kFirstOrderNo + s.invoices[e.number - 1].order;
      if (body.detail) invoice_lines_of(s, static_cast<uint32_t>(e.number - 1), entry.lines);
    } else if (e.kind == EntryKind::credit_note) {
      entry.order_no = kFirstOrderNo + s.credit_notes[e.number - 1].order;
    }
    rows += 1 + entry.lines.size();
    v.entries.push_back(std::move(entry));
  }
  v.aging = aging_of(s, c, today);
}

void daily_report(const State& s, const DailyReportQuery& body, Result& out) {
  DailyReportView& v = out.emplace<DailyReportView>();
  v = DailyReportView{};
  v.date = body.date;
  const DailyAgg* row = s.daily_find(body.date);
  if (row == nullptr) return;  // no activity that day: all zeros
  const DailyAgg& d = *row;
  for (int i = 0; i < kOrderStatusCount; ++i)
    v.by_status[i] = {d.count_by_status[i], d.value_by_status[i]};
  static_cast<DailyActivity&>(v) = static_cast<const DailyActivity&>(d);
  // Recoveries (branch writeoff) are kept by day apart from the daily rows.
  auto rec = std::lower_bound(s.recovery_days.begin(), s.recovery_days.end(), body.date,
                              [](const RecoveryDay& r, Day day) { return r.day < day; });
  if (rec != s.recovery_days.end() && rec->day == body.date) {
    v.recoveries = rec->count;
    v.recovered = rec->amount;
  }
}

}  // namespace

void Engine::query(const Query& q, Result& out) const {
  out.error.code = ErrorCode::OK;
  out.error.message.clear();
  out.error.field.clear();
  out.error.reason.clear();
  const State& s = *s_;
  if (!time_in_range(q.at)) {
    fail(out, ErrorCode::BAD_REQUEST, "at must be a time from 0000-01-01 to 9999-12-31", "at");
    return;
  }
  // Authority (engine/authority.h): quote needs the order role, the other reads any principal.
  if (!authorize(op_id_of(q.body), q.by, AuthFacts{}, out.error)) return;
  const Day today = day_of(std::max(s.now, q.at));  // a read is as of its own time
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, Quote>) {
          quote(s, q, body, out);
        } else if constexpr (std::is_same_v<T, GetCustomer>) {
          uint32_t c;
          if (find_existing_customer(s, body.customer, &c, out))
            fill_customer_view(s, c, today, out.emplace<CustomerView>());
        } else if constexpr (std::is_same_v<T, GetProduct>) {
          const uint32_t p = Key::valid(body.sku.view()) ? s.skus.find(body.sku.view()) : kNone;
          if (p == kNone || !s.products[p].exists)
            fail(out, ErrorCode::NOT_FOUND, "no product '" + std::string(body.sku.view()) + "'",
                 "sku");
          else
            fill_product_view(s, p, out.emplace<ProductView>());
        } else if constexpr (std::is_same_v<T, GetOrder>) {
          get_order(s, body, out);
        } else if constexpr (std::is_same_v<T, ListHeld>) {
          list_held(s, body, out);
        } else if constexpr (std::is_same_v<T, ListCustomers>) {
          list_customers(s, body, out);
        } else if constexpr (std::is_same_v<T, ListProducts>) {
          list_products(s, body, out);
        } else if constexpr (std::is_same_v<T, ListOrders>) {
          list_orders(s, body, today, out);
        } else if constexpr (std::is_same_v<T, ListWriteOffs>) {
          list_write_offs(s, body, out);
        } else if constexpr (std::is_same_v<T, GetReturn>) {
          get_return(s, body, out);
        } else if constexpr (std::is_same_v<T, AgingQuery>) {
          aging(s, body, today, out);
        } else if constexpr (std::is_same_v<T, OpenItemsQuery>) {
          open_items(s, body, today, out);
        } else if constexpr (std::is_same_v<T, StatementQuery>) {
          statement(s, body, today, out);
        } else if constexpr (std::is_same_v<T, GetCreditHistory>) {
          get_credit_history(s, body, out);
        } else if constexpr (std::is_same_v<T, ListPriceAgreements>) {
          list_price_agreements(s, body, today, out);
        } else if constexpr (std::is_same_v<T, ListReviewsDue>) {
          list_reviews_due(s, body, today, out);
        } else {
          static_assert(std::is_same_v<T, DailyReportQuery>, "a query without a handler");
          daily_report(s, body, out);
        }
      },
      q.body);
}

}  // namespace credo

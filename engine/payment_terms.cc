// Payment terms beyond plain credit and prepayment (docs/rules.md "Credit by grade", "Cash on
// delivery", "Deposits"): the per-grade order credit cap, cash-on-delivery overdue checks, and
// the deposit of a deposit order (earmarked by record_payment, checked at ship, expired by tick).
#include <algorithm>
#include <string>

#include "engine/handlers.h"

namespace credo::internal {

Money order_credit_cap(const Policy& p, Grade g) {
  switch (g) {
    case Grade::A:
      return p.max_order_credit_minor_a;
    case Grade::B:
      return p.max_order_credit_minor_b;
    case Grade::C:
      return p.max_order_credit_minor_c;
    case Grade::D:
      break;
  }
  return p.max_order_credit_minor_d;
}

int32_t default_deposit_pct(const Policy& p, Grade g) {
  switch (g) {
    case Grade::A:
      return p.deposit_pct_a;
    case Grade::B:
      return p.deposit_pct_b;
    case Grade::C:
      return p.deposit_pct_c;
    case Grade::D:
      break;
  }
  return p.deposit_pct_d;
}

Money deposit_of(Money total, int32_t pct) {
  // total ≤ kMoneyMax and pct ≤ 100: the product fits in 128 bits, the result in Money.
  const __int128 num = static_cast<__int128>(total) * pct;
  return static_cast<Money>((num + 99) / 100);
}

bool cod_overdue(const State& s, uint32_t c, Day today) {
  // open_invoices is sorted by due date: only the ones already past due are looked at.
  for (uint32_t inv : s.customers[c].open_invoices) {
    const Invoice& i = s.invoices[inv];
    if (i.due >= today) return false;
    if (i.order < s.orders.size() && s.orders[i.order].payment == PaymentTerms::cod) return true;
  }
  return false;
}

void start_deposit(State& s, uint32_t idx, Money deposit_due, TimeMs now) {
  Order& o = s.orders[idx];
  o.deposit_due = deposit_due;
  o.deposit_paid = 0;
  o.deposit_deadline = now + static_cast<TimeMs>(s.policy.deposit_ttl_days) * kMsPerDay;
  const bool open = o.status == OrderStatus::held || o.status == OrderStatus::accepted;
  if (open && deposit_due > 0) s.deposit_waiting.insert({o.deposit_deadline, idx});
}

namespace {
bool waiting(const Order& o) {
  return o.payment == PaymentTerms::deposit && o.deposit_paid < o.deposit_due &&
         (o.status == OrderStatus::held || o.status == OrderStatus::accepted);
}
}  // namespace

void expire_unpaid_deposits(State& s, TimeMs now, uint32_t* held, uint32_t* accepted) {
  while (!s.deposit_waiting.empty() && s.deposit_waiting.begin()->first <= now) {
    const uint32_t idx = s.deposit_waiting.begin()->second;
    s.deposit_waiting.erase(s.deposit_waiting.begin());
    Order& o = s.orders[idx];
    if (!waiting(o)) continue;  // paid, or closed since
    ++*(o.status == OrderStatus::held ? held : accepted);
    close_open_order(s, idx, OrderStatus::expired);
    add_event(s, idx, EventKind::expired, nullptr, now, 0, 0, "deposit not paid");
  }
}

void rebuild_deposit_index(State& s) {
  s.deposit_waiting.clear();
  for (uint32_t i = 0; i < s.orders.size(); ++i)
    if (waiting(s.orders[i])) s.deposit_waiting.insert({s.orders[i].deposit_deadline, i});
}

bool deposit_payment_ok(const State& s, uint32_t c, const RecordPayment& cmd, Result& out) {
  if (!cmd.order_no) return true;
  if (cmd.recovery_of)
    return fail(out, ErrorCode::BAD_REQUEST,
                "a payment is either for a deposit (order_no) or a recovery (recovery_of)",
                "order_no");
  uint32_t idx = 0;
  if (!order_or_fail(s, *cmd.order_no, &idx, out)) return false;
  const Order& o = s.orders[idx];
  if (o.customer != c)
    return fail(out, ErrorCode::BAD_REQUEST, "the order is not this customer's", "order_no");
  if (o.payment != PaymentTerms::deposit)
    return fail(out, ErrorCode::INVALID_STATE,
                std::string("only a deposit order takes a deposit; the order's payment is ") +
                    to_string(o.payment),
                "order_no");
  if (o.status != OrderStatus::held && o.status != OrderStatus::accepted)
    return fail(out, ErrorCode::INVALID_STATE,
                std::string("the order is ") + to_string(o.status) + ": it takes no deposit",
                "order_no");
  if (o.deposit_paid >= o.deposit_due)
    return fail(out, ErrorCode::INVALID_STATE, "the order's deposit is paid already", "order_no");
  return true;
}

Money earmark_deposit(State& s, uint32_t idx, Money money) {
  Order& o = s.orders[idx];
  Customer& c = s.customers[o.customer];
  const Money x = std::max<Money>(0, std::min({money, o.deposit_due - o.deposit_paid,
                                               c.unapplied, o.open_value - o.prepaid_remaining}));
  if (x == 0) return 0;
  // The order's credit value falls by what its deposit now covers.
  (o.status == OrderStatus::held ? c.held : c.open_orders) -= x;
  c.unapplied -= x;
  c.prepaid_reserved += x;
  o.prepaid_remaining += x;
  o.deposit_paid += x;
  return x;
}

bool deposit_ship_ok(const State& s, const Order& o, Result& out) {
  (void)s;
  if (o.payment != PaymentTerms::deposit || o.deposit_paid >= o.deposit_due) return true;
  fail(out, ErrorCode::INVALID_STATE,
       "the order's deposit is not paid: " + std::to_string(o.deposit_paid) + " of " +
           std::to_string(o.deposit_due));
  out.error.reason = "DEPOSIT_UNPAID";
  return false;
}

}  // namespace credo::internal

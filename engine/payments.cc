// Money into receivables: record_payment (applied to open invoices, oldest due first; money for
// written-off invoices is a recovery, engine/write_offs.cc). Write-offs: engine/write_offs.cc.
#include <string>

#include "engine/handlers.h"

namespace credo::internal {

namespace {

void fill_payment(const State& s, uint32_t pay, PaymentView& v) {
  const Payment& p = s.payments[pay];
  v.customer = Key::of(s.customer_ids.view(p.customer));
  v.payment_ref = Key::of(s.payment_refs.view(pay));
  v.amount = p.amount;
  v.applied.assign(s.applications.begin() + p.first_application,
                   s.applications.begin() + p.first_application + p.application_count);
  v.unapplied = s.customers[p.customer].unapplied;
  v.duplicate = false;
  payment_recoveries(s, pay, &v.recovered);
}

}  // namespace

// record_payment
bool handle(Ctx& x, const RecordPayment& cmd) {
  uint32_t c;
  if (!customer_or_fail(x.s, cmd.customer, &c, x.out) ||
      !key_ok(cmd.payment_ref, "payment_ref", x.out))
    return false;
  if (cmd.amount <= 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "amount must be positive", "amount");
  State& s = x.s;
  const uint32_t earlier = s.payment_refs.find(cmd.payment_ref.view());
  if (earlier != kNone) {
    const Payment& p = s.payments[earlier];
    if (p.customer != c || p.amount != cmd.amount)
      return fail(x.out, ErrorCode::DUPLICATE,
                  "payment_ref '" + std::string(cmd.payment_ref.view()) +
                      "' was used before with a different customer or amount",
                  "payment_ref");
    PaymentView& v = x.out.emplace<PaymentView>();
    fill_payment(s, earlier, v);
    v.duplicate = true;
    return true;
  }
  if (!recovery_ok(s, c, cmd, x.out) || !deposit_payment_ok(s, c, cmd, x.out)) return false;
  Customer& cust = s.customers[c];
  Money check;
  if (add_overflows(cust.unapplied, cmd.amount, &check) ||
      sub_overflows(cust.ledger_balance, cmd.amount, &check))
    return fail(x.out, ErrorCode::BAD_REQUEST, "the customer's balance would overflow", "amount");
  const uint32_t pay = s.payment_refs.intern(cmd.payment_ref.view());
  Payment p;
  p.customer = c;
  p.amount = cmd.amount;
  p.at = x.now;
  p.first_application = static_cast<uint32_t>(s.applications.size());
  // Money for written-off invoices is a recovery (engine/write_offs.cc); only the rest is the
  // customer's, applied to open invoices.
  PaymentView& v = x.out.emplace<PaymentView>();
  const Money own = cmd.amount - record_recoveries(s, c, pay, cmd, &v.recovered);
  cust.unapplied += own;
  // A deposit payment is set aside for its order before anything is applied to invoices.
  v.deposit = cmd.order_no ? earmark_deposit(s, static_cast<uint32_t>(*cmd.order_no - kFirstOrderNo), own) : 0;
  apply_unapplied(s, c, &s.applications, SettleSource::payment);
  p.application_count = static_cast<uint32_t>(s.applications.size()) - p.first_application;
  s.payments.push_back(p);
  add_ledger(s, c, EntryKind::payment, pay + 1, pay, -cmd.amount);
  DailyAgg& day = s.daily_at(s.today());
  day.payments += 1;
  day.payments_received = sat_add(day.payments_received, cmd.amount);
  ladder_check(s, c);
  fill_payment(s, pay, v);
  return true;
}

}  // namespace credo::internal

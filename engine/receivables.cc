// Receivables that go back: reverse_payment (a payment that did not clear, 票據或支票被拒付,
// 004 9-02 §12.2) and refund (unapplied balance paid back, never more than it, 004 9-06 §13);
// and the dated history every change of an invoice's open amount leaves (Settlement), which
// aging as_of reads (engine/receivables_reads.cc).
//
// What a reversal undoes. A payment of amount A was applied, when it was recorded, to some
// invoices (its applications) and the rest went to the customer's unapplied balance. Reversing
// it takes all of A back:
//   1. each of its applications is undone: the invoice opens again by that much;
//   2. the rest comes out of the unapplied balance, as far as it is still there;
//   3. what of the rest was already used (the unapplied balance settled later invoices, or paid
//      for prepaid shipments) is clawed back by opening again the invoices most recently settled
//      from the unapplied balance or a prepayment, newest first: that money came from a payment
//      that never arrived, so those invoices are owed again;
//   4. if even that does not cover it (the money was refunded, or is still reserved for an open
//      prepaid order), the reversal is refused (INVALID_STATE, reason unapplied_spent) and
//      nothing changes: cancel the prepaid order first, or record the debt another way.
// The ledger gets one `reversal` entry of +A, so the statement's balance rises by the payment.
#include <algorithm>
#include <string>

#include "engine/handlers.h"

namespace credo::internal {

void note_settlement(State& s, uint32_t inv, Money amount, SettleSource source) {
  const uint32_t customer = s.invoices[inv].customer;
  s.customers[customer].settlements.push_back(static_cast<uint32_t>(s.settlements.size()));
  s.settlements.push_back({inv, s.today(), source, amount, 0});
}

void note_invoice(State& s, uint32_t inv, uint32_t first_line) {
  CREDO_ASSERT(s.invoice_first_line.size() == inv, "one first line per invoice, in order");
  s.invoice_first_line.push_back(first_line);
}

void rebuild_reversal_index(State& s) {
  s.reversal_of_payment.assign(s.payments.size(), kNone);
  for (uint32_t r = 0; r < s.reversals.size(); ++r)
    if (s.reversals[r].payment < s.reversal_of_payment.size())
      s.reversal_of_payment[s.reversals[r].payment] = r;
}

namespace {

// Opens invoice `inv` again by `x` (a reversal), back on the customer's open list if it had
// left it. The list stays sorted by (due date, invoice index).
void reopen(State& s, uint32_t inv, Money x) {
  Invoice& invoice = s.invoices[inv];
  Customer& c = s.customers[invoice.customer];
  const bool was_closed = invoice.open == 0;
  invoice.open += x;
  c.receivables += x;
  note_settlement(s, inv, -x, SettleSource::reversal);
  if (!was_closed) return;
  auto before = [&](uint32_t a, uint32_t b) {
    return s.invoices[a].due != s.invoices[b].due ? s.invoices[a].due < s.invoices[b].due : a < b;
  };
  c.open_invoices.insert(
      std::lower_bound(c.open_invoices.begin(), c.open_invoices.end(), inv, before), inv);
}

void fill_reversal(const State& s, uint32_t r, ReversalView& v) {
  const PaymentReversal& rev = s.reversals[r];
  const Payment& p = s.payments[rev.payment];
  const Customer& c = s.customers[p.customer];
  v.customer = Key::of(s.customer_ids.view(p.customer));
  v.payment_ref = Key::of(s.payment_refs.view(rev.payment));
  v.amount = p.amount;
  v.reopened.assign(s.reversal_reopened.begin() + rev.first_reopened,
                    s.reversal_reopened.begin() + rev.first_reopened + rev.reopened_count);
  v.unapplied_taken = rev.unapplied_taken;
  v.unapplied = c.unapplied;
  v.status = c.status;
  v.duplicate = false;
}

// One step of a reversal's plan: reopen invoice `inv` by `amount`; `settlement` is the
// unapplied/prepaid settlement it undoes (kNone for the payment's own applications).
struct Reopen {
  uint32_t inv;
  Money amount;
  uint32_t settlement;
};

}  // namespace

// reverse_payment
bool handle(Ctx& x, const ReversePayment& cmd) {
  if (!key_ok(cmd.payment_ref, "payment_ref", x.out) || !text_ok(cmd.reason, "reason", x.out))
    return false;
  State& s = x.s;
  const uint32_t pay = s.payment_refs.find(cmd.payment_ref.view());
  if (pay == kNone)
    return fail(x.out, ErrorCode::NOT_FOUND,
                "no payment '" + std::string(cmd.payment_ref.view()) + "'", "payment_ref");
  if (pay < s.reversal_of_payment.size() && s.reversal_of_payment[pay] != kNone) {
    const uint32_t r = s.reversal_of_payment[pay];
    const PaymentReversal& rev = s.reversals[r];
    if (s.text_of(rev.reason) != cmd.reason || rev.suspend != cmd.suspend)
      return fail(x.out, ErrorCode::INVALID_STATE,
                  "already_reversed: payment '" + std::string(cmd.payment_ref.view()) +
                      "' was reversed on " + format_time(rev.at) + " by another request",
                  "payment_ref");
    ReversalView& v = x.out.emplace<ReversalView>();
    fill_reversal(s, r, v);
    v.duplicate = true;
    return true;
  }
  const Payment& p = s.payments[pay];
  Customer& c = s.customers[p.customer];

  // Plan everything first (nothing changes on a refusal).
  static thread_local std::vector<Reopen> plan;
  plan.clear();
  Money own = 0;
  for (uint32_t a = p.first_application; a < p.first_application + p.application_count; ++a) {
    const Application& app = s.applications[a];
    plan.push_back({static_cast<uint32_t>(app.invoice_no - 1), app.amount, kNone});
    own += app.amount;
  }
  const Money rest = p.amount - own;
  const Money taken = std::min(rest, c.unapplied);
  Money shortfall = rest - taken;
  for (auto it = c.settlements.rbegin(); it != c.settlements.rend() && shortfall > 0; ++it) {
    const Settlement& st = s.settlements[*it];
    if (st.source != SettleSource::unapplied && st.source != SettleSource::prepaid) continue;
    const Money y = std::min(shortfall, st.amount - st.undone);
    if (y <= 0) continue;
    plan.push_back({st.invoice, y, *it});
    shortfall -= y;
  }
  if (shortfall > 0)
    return fail(x.out, ErrorCode::INVALID_STATE,
                "unapplied_spent: " + std::to_string(shortfall) +
                    " of the payment was refunded or is reserved for open prepaid orders",
                "payment_ref");
  Money check;
  if (add_overflows(c.ledger_balance, p.amount, &check) ||
      add_overflows(c.receivables, p.amount, &check))
    return fail(x.out, ErrorCode::BAD_REQUEST, "the customer's balance would overflow",
                "payment_ref");

  PaymentReversal rev;
  rev.payment = pay;
  rev.at = x.now;
  rev.reason = s.add_text(cmd.reason);
  rev.suspend = cmd.suspend;
  rev.first_reopened = static_cast<uint32_t>(s.reversal_reopened.size());
  rev.unapplied_taken = taken;
  c.unapplied -= taken;
  for (const Reopen& step : plan) {
    if (step.settlement != kNone) s.settlements[step.settlement].undone += step.amount;
    reopen(s, step.inv, step.amount);
    s.reversal_reopened.push_back({static_cast<InvoiceNo>(step.inv) + 1, step.amount});
  }
  rev.reopened_count = static_cast<uint32_t>(s.reversal_reopened.size()) - rev.first_reopened;
  // What is left of the unapplied balance settles the invoices just opened again.
  apply_unapplied(s, p.customer, nullptr);
  add_ledger(s, p.customer, EntryKind::reversal, pay + 1, pay, p.amount);
  if (cmd.suspend && c.status == CustomerStatus::active) {
    c.status = CustomerStatus::on_hold;
    c.suspended_by_ladder = false;
    c.ladder_override = false;
    c.status_reason = s.add_text("PAYMENT_REVERSED");
  }
  ladder_check(s, p.customer);
  const uint32_t r = static_cast<uint32_t>(s.reversals.size());
  s.reversals.push_back(rev);
  if (s.reversal_of_payment.size() < s.payments.size())
    s.reversal_of_payment.resize(s.payments.size(), kNone);
  s.reversal_of_payment[pay] = r;
  fill_reversal(s, r, x.out.emplace<ReversalView>());
  return true;
}

// refund
bool handle(Ctx& x, const Refund& cmd) {
  uint32_t c;
  if (!customer_or_fail(x.s, cmd.customer, &c, x.out) ||
      !key_ok(cmd.refund_ref, "refund_ref", x.out) || !text_ok(cmd.reason, "reason", x.out))
    return false;
  if (cmd.amount <= 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "amount must be positive", "amount");
  State& s = x.s;
  Customer& cust = s.customers[c];
  auto answer = [&](uint32_t id, bool duplicate) {
    RefundView& v = x.out.emplace<RefundView>();
    v.customer = cmd.customer;
    v.refund_ref = cmd.refund_ref;
    v.amount = s.refunds[id].amount;
    v.unapplied = cust.unapplied;
    v.duplicate = duplicate;
    return true;
  };
  const uint32_t earlier = s.refund_refs.find(cmd.refund_ref.view());
  if (earlier != kNone) {
    const RefundRec& r = s.refunds[earlier];
    if (r.customer != c || r.amount != cmd.amount)
      return fail(x.out, ErrorCode::DUPLICATE,
                  "refund_ref '" + std::string(cmd.refund_ref.view()) +
                      "' was used before with a different customer or amount",
                  "refund_ref");
    return answer(earlier, true);
  }
  if (cmd.amount > cust.unapplied)
    return fail(x.out, ErrorCode::INVALID_STATE,
                "exceeds_unapplied: the customer's unapplied balance is " +
                    std::to_string(cust.unapplied),
                "amount");
  Money check;
  if (add_overflows(cust.ledger_balance, cmd.amount, &check))
    return fail(x.out, ErrorCode::BAD_REQUEST, "the customer's balance would overflow", "amount");
  const uint32_t id = s.refund_refs.intern(cmd.refund_ref.view());
  s.refunds.push_back({c, cmd.amount, x.now, s.add_text(cmd.reason)});
  cust.unapplied -= cmd.amount;
  add_ledger(s, c, EntryKind::refund, id + 1, kNone, cmd.amount);
  return answer(id, false);
}

}  // namespace credo::internal

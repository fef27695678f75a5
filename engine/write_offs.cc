// Write-offs (branch writeoff): a bad debt is proposed by finance with one of the criteria of
// 004 P5 9-08 §13, approved by a second finance principal of level 2 or more (P5 §15: the
// finance manager and the sales VP), kept in a register (000 二(八) 账销案存), and money later
// received for it is a recovery, not the customer's credit (已核销的坏账又收回时应当及时入账).
// The one-step write_off remains for a policy that allows a single approver.
#include <algorithm>
#include <string>

#include "engine/handlers.h"

namespace credo {

namespace {
constexpr const char* kWriteOffReasons[] = {"bankrupt", "deceased", "uncollectible", "settlement",
                                            "unspecified"};
constexpr const char* kWriteOffStatuses[] = {"proposed", "approved"};
constexpr const char* kReturnStatuses[] = {"requested", "approved", "received"};
constexpr const char* kQcResults[] = {"pass", "fail"};
}  // namespace

const char* to_string(WriteOffReason r) {
  return kWriteOffReasons[static_cast<int>(r)];
}
const char* to_string(WriteOffStatus s) {
  return kWriteOffStatuses[static_cast<int>(s)];
}
const char* to_string(ReturnStatus s) {
  return kReturnStatuses[static_cast<int>(s)];
}
const char* to_string(QcResult q) {
  return kQcResults[static_cast<int>(q)];
}
// `unspecified` is only ever recorded by the one-step write_off: no request may ask for it.
bool parse(std::string_view s, WriteOffReason* out) {
  for (int i = 0; i <= static_cast<int>(WriteOffReason::settlement); ++i)
    if (s == kWriteOffReasons[i]) {
      *out = static_cast<WriteOffReason>(i);
      return true;
    }
  return false;
}
bool parse(std::string_view s, QcResult* out) {
  for (int i = 0; i < 2; ++i)
    if (s == kQcResults[i]) {
      *out = static_cast<QcResult>(i);
      return true;
    }
  return false;
}

namespace internal {

namespace {

bool invoice_or_fail(const State& s, InvoiceNo no, uint32_t* inv, Result& out,
                     const char* field = "invoice_no") {
  if (no < 1 || no > s.invoices.size())
    return fail(out, ErrorCode::NOT_FOUND, "no invoice " + std::to_string(no), field);
  *inv = static_cast<uint32_t>(no - 1);
  return true;
}

bool write_off_or_fail(const State& s, uint64_t no, uint32_t* w, Result& out) {
  if (no < 1 || no > s.write_offs.size())
    return fail(out, ErrorCode::NOT_FOUND, "no write-off " + std::to_string(no), "write_off_no");
  *w = static_cast<uint32_t>(no - 1);
  return true;
}

bool pending_proposal(const State& s, uint32_t inv) {
  auto it = s.write_offs_of_invoice.find(inv);
  if (it == s.write_offs_of_invoice.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [&](uint32_t w) {
    return s.write_offs[w].status == WriteOffStatus::proposed;
  });
}

uint32_t add_write_off(State& s, WriteOffRec rec) {
  const uint32_t w = static_cast<uint32_t>(s.write_offs.size());
  s.write_offs_of_invoice[rec.invoice].push_back(w);
  s.write_offs_of_customer[s.invoices[rec.invoice].customer].push_back(w);
  s.write_offs.push_back(rec);
  return w;
}

// Writes off the invoice's open amount (the approval, or the one-step write_off).
void write_off_invoice(State& s, uint32_t w, const Principal& by, TimeMs now,
                       std::string_view note) {
  WriteOffRec& rec = s.write_offs[w];
  Invoice& invoice = s.invoices[rec.invoice];
  const Money amount = invoice.open;
  Customer& c = s.customers[invoice.customer];
  CREDO_ASSERT(c.receivables >= amount, "an open invoice is counted in receivables");
  c.receivables -= amount;
  invoice.open = 0;
  note_settlement(s, rec.invoice, amount, SettleSource::write_off);
  remove_open_invoice(s, rec.invoice);
  add_ledger(s, invoice.customer, EntryKind::write_off, rec.invoice + 1, kNone, -amount);
  DailyAgg& day = s.daily_at(s.today());
  day.write_offs += 1;
  day.written_off = sat_add(day.written_off, amount);
  ladder_check(s, invoice.customer);
  rec.status = WriteOffStatus::approved;
  rec.amount = amount;
  rec.approved_by = s.principals.intern(by.name.view());
  rec.approved_at = now;
  if (!note.empty()) rec.note = s.add_text(note);
}

void fill_write_off(const State& s, uint32_t w, WriteOffRecordView& v) {
  const WriteOffRec& rec = s.write_offs[w];
  const Invoice& invoice = s.invoices[rec.invoice];
  v.write_off_no = w + 1;
  v.invoice_no = rec.invoice + 1;
  v.customer = Key::of(s.customer_ids.view(invoice.customer));
  v.status = rec.status;
  v.reason_code = rec.reason_code;
  v.reason.assign(s.text_of(rec.reason));
  v.amount = rec.amount;
  v.proposed_by = Key::of(s.principals.view(rec.proposed_by));
  v.proposed_at = rec.proposed_at;
  v.approved_by =
      rec.approved_by == kNone ? Key{} : Key::of(s.principals.view(rec.approved_by));
  v.approved_at = rec.approved_at;
  v.note.assign(s.text_of(rec.note));
  v.recovered = rec.recovered;
}

// The write-offs `recoveries` may book against, oldest first: the invoice's, or the
// customer's.
const std::vector<uint32_t>* recoverable(const State& s, uint32_t customer, uint32_t invoice) {
  const auto& index = invoice != kNone ? s.write_offs_of_invoice : s.write_offs_of_customer;
  auto it = index.find(invoice != kNone ? invoice : customer);
  return it == index.end() ? nullptr : &it->second;
}

}  // namespace

bool fail_state(Result& out, const char* reason, std::string message, std::string field) {
  fail(out, ErrorCode::INVALID_STATE, std::move(message), std::move(field));
  out.error.reason = reason;
  return false;
}

Money unrecovered(const State& s, uint32_t customer, uint32_t invoice) {
  Money sum = 0;
  if (const auto* ws = recoverable(s, customer, invoice))
    for (uint32_t w : *ws)
      if (s.write_offs[w].status == WriteOffStatus::approved)
        sum += s.write_offs[w].amount - s.write_offs[w].recovered;  // <= receivables once were
  return sum;
}

Money book_recoveries(State& s, uint32_t customer, uint32_t invoice, Money amount,
                      std::vector<Application>* recovered) {
  const auto* ws = recoverable(s, customer, invoice);
  Money booked = 0;
  for (std::size_t i = 0; ws != nullptr && i < ws->size() && booked < amount; ++i) {
    WriteOffRec& rec = s.write_offs[(*ws)[i]];
    if (rec.status != WriteOffStatus::approved) continue;
    const Money x = std::min(amount - booked, rec.amount - rec.recovered);
    if (x == 0) continue;
    rec.recovered += x;
    booked += x;
    add_ledger(s, customer, EntryKind::recovery, rec.invoice + 1, kNone, x);
    if (recovered) recovered->push_back({rec.invoice + InvoiceNo{1}, x});
  }
  return booked;
}

bool recovery_ok(const State& s, uint32_t customer, const RecordPayment& cmd, Result& out) {
  if (!cmd.recovery_of) return true;
  uint32_t inv = 0;
  if (!invoice_or_fail(s, *cmd.recovery_of, &inv, out, "recovery_of")) return false;
  if (s.invoices[inv].customer != customer)
    return fail(out, ErrorCode::BAD_REQUEST,
                "invoice " + std::to_string(*cmd.recovery_of) + " is another customer's",
                "recovery_of");
  const Money left = unrecovered(s, customer, inv);
  if (left == 0)
    return fail_state(out, "not_written_off",
                      "invoice " + std::to_string(*cmd.recovery_of) +
                          " has no written-off amount left to recover",
                      "recovery_of");
  if (cmd.amount > left)
    return fail(out, ErrorCode::BAD_REQUEST,
                "amount is more than the " + std::to_string(left) +
                    " written off and not yet recovered on invoice " +
                    std::to_string(*cmd.recovery_of),
                "amount");
  Money check;
  if (add_overflows(s.customers[customer].ledger_balance, cmd.amount, &check))
    return fail(out, ErrorCode::BAD_REQUEST, "the customer's balance would overflow", "amount");
  return true;
}

Money record_recoveries(State& s, uint32_t customer, uint32_t pay, const RecordPayment& cmd,
                        std::vector<Application>* recovered) {
  recovered->clear();
  const Customer& c = s.customers[customer];
  Money booked = 0;
  if (cmd.recovery_of) {
    booked = book_recoveries(s, customer, static_cast<uint32_t>(*cmd.recovery_of - 1), cmd.amount,
                             recovered);
  } else if (c.open_invoices.empty()) {
    // Nothing open, so the customer's only debts are written off: the money recovers them,
    // oldest write-off first; what is left over is the customer's credit. (The ledger balance
    // is <= 0 without open invoices, so the recovery entries cannot overflow it.)
    booked = book_recoveries(s, customer, kNone, cmd.amount, recovered);
  }
  for (const Application& a : *recovered)
    s.payment_recoveries.push_back({pay, static_cast<uint32_t>(a.invoice_no - 1), a.amount});
  if (booked > 0) {
    if (s.recovery_days.empty() || s.recovery_days.back().day != s.today())
      s.recovery_days.push_back({s.today(), 0, 0});
    s.recovery_days.back().count += 1;
    s.recovery_days.back().amount = sat_add(s.recovery_days.back().amount, booked);
  }
  return booked;
}

void payment_recoveries(const State& s, uint32_t pay, std::vector<Application>* recovered) {
  recovered->clear();
  auto it = std::lower_bound(s.payment_recoveries.begin(), s.payment_recoveries.end(), pay,
                             [](const PaymentRecovery& r, uint32_t p) { return r.payment < p; });
  for (; it != s.payment_recoveries.end() && it->payment == pay; ++it)
    recovered->push_back({it->invoice + InvoiceNo{1}, it->amount});
}

void rebuild_write_off_index(State& s) {
  s.write_offs_of_invoice.clear();
  s.write_offs_of_customer.clear();
  for (uint32_t w = 0; w < s.write_offs.size(); ++w) {
    const uint32_t inv = s.write_offs[w].invoice;
    if (inv >= s.invoices.size()) continue;  // a corrupt image: check_invariants reports it
    s.write_offs_of_invoice[inv].push_back(w);
    s.write_offs_of_customer[s.invoices[inv].customer].push_back(w);
  }
}

// propose_write_off
bool handle(Ctx& x, const ProposeWriteOff& cmd) {
  State& s = x.s;
  uint32_t inv = 0;
  if (!text_ok(cmd.reason, "reason", x.out) || !invoice_or_fail(s, cmd.invoice_no, &inv, x.out))
    return false;
  if (cmd.reason_code > WriteOffReason::settlement)
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "reason_code must be one of bankrupt, deceased, uncollectible, settlement",
                "reason_code");
  const Invoice& invoice = s.invoices[inv];
  if (invoice.open == 0)
    return fail_state(x.out, "nothing_open", "the invoice has nothing open to write off");
  if (pending_proposal(s, inv))
    return fail_state(x.out, "already_proposed",
                      "a write-off of invoice " + std::to_string(cmd.invoice_no) +
                          " is already proposed and waits for approval");
  const int64_t past_due = int64_t{s.today()} - invoice.due;
  if (cmd.reason_code == WriteOffReason::uncollectible &&
      past_due <= s.policy.writeoff_min_days_past_due)
    return fail_state(x.out, "not_past_due_enough",
                      "invoice " + std::to_string(cmd.invoice_no) + " is " +
                          std::to_string(std::max<int64_t>(past_due, 0)) +
                          " days past due; uncollectible needs more than " +
                          std::to_string(s.policy.writeoff_min_days_past_due) +
                          " (policy writeoff_min_days_past_due)",
                      "reason_code");
  WriteOffRec rec;
  rec.invoice = inv;
  rec.reason_code = cmd.reason_code;
  rec.reason = s.add_text(cmd.reason);
  rec.amount = invoice.open;
  rec.proposed_by = s.principals.intern(x.by.name.view());
  rec.proposed_at = x.now;
  fill_write_off(s, add_write_off(s, rec), x.out.emplace<WriteOffRecordView>());
  return true;
}

// approve_write_off
bool handle(Ctx& x, const ApproveWriteOff& cmd) {
  State& s = x.s;
  uint32_t w = 0;
  if (!text_ok(cmd.note, "note", x.out) || !write_off_or_fail(s, cmd.write_off_no, &w, x.out))
    return false;
  const WriteOffRec& rec = s.write_offs[w];
  if (rec.status != WriteOffStatus::proposed)
    return fail_state(x.out, "already_approved",
                      "write-off " + std::to_string(cmd.write_off_no) + " is already approved");
  if (s.principals.view(rec.proposed_by) == x.by.name.view())
    return fail(x.out, ErrorCode::FORBIDDEN,
                "a write-off needs a second approver: nobody approves their own proposal");
  const Invoice& invoice = s.invoices[rec.invoice];
  if (invoice.open == 0)
    return fail_state(x.out, "nothing_open", "the invoice has nothing open to write off any more");
  if (invoice.open > rec.amount)
    return fail_state(x.out, "amount_grew",
                      "the invoice's open amount grew to " + std::to_string(invoice.open) +
                          " since the proposal of " + std::to_string(rec.amount) +
                          "; propose it again");
  write_off_invoice(s, w, x.by, x.now, cmd.note);
  fill_write_off(s, w, x.out.emplace<WriteOffRecordView>());
  return true;
}

// write_off: propose and approve in one step, only where the policy allows one approver.
bool handle(Ctx& x, const WriteOff& cmd) {
  State& s = x.s;
  if (!s.policy.single_approval_write_off)
    return fail(x.out, ErrorCode::FORBIDDEN,
                "a write-off needs a second approver: propose_write_off, then approve_write_off "
                "by another finance principal of level 2 or more (policy "
                "single_approval_write_off is false)");
  uint32_t inv = 0;
  if (!text_ok(cmd.reason, "reason", x.out) || !invoice_or_fail(s, cmd.invoice_no, &inv, x.out))
    return false;
  if (s.invoices[inv].open == 0)
    return fail_state(x.out, "nothing_open", "the invoice has nothing open to write off");
  WriteOffRec rec;
  rec.invoice = inv;
  rec.reason_code = WriteOffReason::unspecified;
  rec.reason = s.add_text(cmd.reason);
  rec.proposed_by = s.principals.intern(x.by.name.view());
  rec.proposed_at = x.now;
  const uint32_t w = add_write_off(s, rec);
  write_off_invoice(s, w, x.by, x.now, {});
  WriteOffView& v = x.out.emplace<WriteOffView>();
  v.invoice_no = cmd.invoice_no;
  v.customer = Key::of(s.customer_ids.view(s.invoices[inv].customer));
  v.amount = s.write_offs[w].amount;
  v.write_off_no = w + 1;
  return true;
}

// list_write_offs: the register from the cursor on, at most `limit` rows from at most
// kMaxPageExamined examined.
void list_write_offs(const State& s, const ListWriteOffs& q, Result& out) {
  if (q.limit < 1 || q.limit > kMaxPageLimit) {
    fail(out, ErrorCode::BAD_REQUEST, "limit must be " + limits::range_text(kPageLimitRange),
         "limit");
    return;
  }
  if (q.from && q.to && *q.from > *q.to) {
    fail(out, ErrorCode::BAD_REQUEST, "from must not be after to", "from");
    return;
  }
  if (q.cursor && (*q.cursor < 1 || *q.cursor > s.write_offs.size())) {
    fail(out, ErrorCode::BAD_REQUEST, "cursor is not one this op gave out", "cursor");
    return;
  }
  const std::vector<uint32_t>* rows = nullptr;  // the customer's write-offs; null: all
  static const std::vector<uint32_t> kNoRows;
  if (q.customer) {
    const uint32_t c = Key::valid(q.customer->view()) ? find_customer(s, *q.customer) : kNone;
    if (c == kNone) {
      fail(out, ErrorCode::NOT_FOUND, "no customer '" + std::string(q.customer->view()) + "'",
           "customer");
      return;
    }
    auto it = s.write_offs_of_customer.find(c);
    rows = it == s.write_offs_of_customer.end() ? &kNoRows : &it->second;
  }
  WriteOffList& list = out.emplace<WriteOffList>();
  list.next_cursor = 0;
  std::size_t n = 0;
  const uint32_t start = q.cursor ? static_cast<uint32_t>(*q.cursor - 1) : 0;
  const std::size_t end = rows ? rows->size() : s.write_offs.size();
  std::size_t i = rows ? static_cast<std::size_t>(
                             std::lower_bound(rows->begin(), rows->end(), start) - rows->begin())
                       : start;
  for (uint32_t examined = 0; i < end; ++i, ++examined) {
    const uint32_t w = rows ? (*rows)[i] : static_cast<uint32_t>(i);
    if (n == q.limit || examined == kMaxPageExamined) {
      list.next_cursor = w + 1;
      break;
    }
    const Day day = day_of(s.write_offs[w].proposed_at);
    if ((q.from && day < *q.from) || (q.to && day > *q.to)) continue;
    if (list.write_offs.size() <= n) list.write_offs.emplace_back();
    fill_write_off(s, w, list.write_offs[n++]);
  }
  list.write_offs.resize(n);
}

}  // namespace internal
}  // namespace credo

// Returns (branch writeoff). A return is requested (order or finance), approved by sales
// management (level 1; level 2 above the policy's return_vp_minor; never by its requester),
// then counted and quality-checked by the warehouse, and only then credited: the credit note is
// for the quantity received, and only units that passed QC go back to stock (004 P5 §11, 9-04
// §8-13; 000 二(七): 销售退回需经具有相应权限的人员审批后方可执行, 参照物资采购入库管理).
// return_goods does all of it in one step and is left to admin (corrections, data migration).
// A credit note settles the order's open invoices first, then any of its written-off debt (a
// recovery, engine/write_offs.cc); only what is left becomes the customer's unapplied credit.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/handlers.h"
#include "engine/order_lines.h"

namespace credo::internal {

namespace {

Qty returnable(const OrderLine& l) {
  return l.shipped - l.returned;
}

bool return_or_fail(const State& s, uint64_t no, uint32_t* r, Result& out) {
  if (no < 1 || no > s.returns.size())
    return fail(out, ErrorCode::NOT_FOUND, "no return " + std::to_string(no), "return_no");
  *r = static_cast<uint32_t>(no - 1);
  return true;
}

// What a credit note for `lines` of order `idx` needs that could fail: the stock and balance
// sums. Checked before anything changes.
bool credit_note_ok(const State& s, uint32_t idx, const std::vector<SkuQty>& lines,
                    const std::vector<SkuQty>& restock, Result& out) {
  for (const SkuQty& sq : restock) {
    Qty check;
    if (add_overflows(s.products[s.skus.find(sq.sku.view())].on_hand, sq.qty, &check))
      return fail(out, ErrorCode::BAD_REQUEST, "on_hand would overflow", "lines");
  }
  const Order& o = s.orders[idx];
  const Money amount = value_of(s, o, lines, returnable);
  const Customer& c = s.customers[o.customer];
  Money check;
  // Recovery entries (+) may precede the credit note (-): both directions are checked.
  if (add_overflows(c.unapplied, amount, &check) ||
      sub_overflows(c.ledger_balance, amount, &check) ||
      add_overflows(c.ledger_balance, amount, &check))
    return fail(out, ErrorCode::BAD_REQUEST, "the customer's balance would overflow");
  return true;
}

// Issues the credit note for `lines` (checked against what is returnable) of order `idx` and
// puts `restock` back into stock.
void book_credit_note(Ctx& x, uint32_t idx, const std::vector<SkuQty>& lines,
                      const std::vector<SkuQty>& restock, std::string_view reason,
                      ReturnView& view) {
  State& s = x.s;
  Order& o = s.orders[idx];
  Customer& c = s.customers[o.customer];
  const Money amount = value_of(s, o, lines, returnable);
  for (const SkuQty& sq : lines)
    spread(s, o, s.skus.find(sq.sku.view()), sq.qty, returnable,
           [](OrderLine& line, Qty q) { line.returned = line_qty(line.returned + q); });
  for (const SkuQty& sq : restock) s.products[s.skus.find(sq.sku.view())].on_hand += sq.qty;
  const uint64_t note_no = s.credit_notes.size() + 1;
  s.credit_notes.push_back({idx, amount, x.now});
  view.applied.clear();
  view.recovered.clear();
  Money rest = amount;
  for (uint32_t inv = o.first_invoice; inv != kNone && rest > 0;
       inv = s.invoices[inv].next_in_order) {
    Invoice& invoice = s.invoices[inv];
    const Money q = std::min(rest, invoice.open);
    if (q == 0) continue;
    invoice.open -= q;
    c.receivables -= q;
    rest -= q;
    note_settlement(s, inv, q, SettleSource::credit_note);
    view.applied.push_back({inv + 1, q});
    if (invoice.open == 0) remove_open_invoice(s, inv);
  }
  // Goods back for a written-off invoice recover its debt: no credit for what was never paid.
  for (uint32_t inv = o.first_invoice; inv != kNone && rest > 0;
       inv = s.invoices[inv].next_in_order)
    rest -= book_recoveries(s, o.customer, inv, rest, &view.recovered);
  c.unapplied += rest;
  apply_unapplied(s, o.customer, &view.applied);
  add_ledger(s, o.customer, EntryKind::credit_note, note_no, kNone, -amount);
  DailyAgg& day = s.daily_at(s.today());
  day.returns += 1;
  day.returns_value = sat_add(day.returns_value, amount);
  add_event(s, idx, EventKind::returned, &x.by, x.now, note_no, amount, reason);
  ladder_check(s, o.customer);
  view.order_no = kFirstOrderNo + idx;
  view.credit_note_no = note_no;
  view.amount = amount;
  view.unapplied = c.unapplied;
}

void fill_return(const State& s, uint32_t r, ReturnRecordView& v) {
  const ReturnRec& rec = s.returns[r];
  const Order& o = s.orders[rec.order];
  v.return_no = r + 1;
  v.order_no = kFirstOrderNo + rec.order;
  v.customer = Key::of(s.customer_ids.view(o.customer));
  v.status = rec.status;
  v.reason.assign(s.text_of(rec.reason));
  v.value = rec.value;
  v.lines.clear();
  for (uint32_t l = rec.first_line; l < rec.first_line + rec.line_count; ++l) {
    const ReturnLine& line = s.return_lines[l];
    v.lines.push_back({Key::of(s.skus.view(line.product)), line.qty, line.received, line.passed});
  }
  auto name = [&](uint32_t p) { return p == kNone ? Key{} : Key::of(s.principals.view(p)); };
  v.requested_by = name(rec.requested_by);
  v.requested_at = rec.requested_at;
  v.approved_by = name(rec.approved_by);
  v.approved_at = rec.approved_at;
  v.received_by = name(rec.received_by);
  v.received_at = rec.received_at;
  v.credited = rec.credit_note_no != 0;
  v.credit = ReturnView{};
  if (v.credited) {
    v.credit.order_no = v.order_no;
    v.credit.credit_note_no = rec.credit_note_no;
    v.credit.amount = s.credit_notes[rec.credit_note_no - 1].amount;
  }
}

// What return_goods and request_return both check first: a text reason, an order that has
// shipped something, and lines within what shipped and was not yet returned.
bool return_lines_ok(Ctx& x, OrderNo order_no, const std::vector<SkuQty>& lines,
                     const std::string& reason, uint32_t* idx) {
  if (!text_ok(reason, "reason", x.out) || !order_or_fail(x.s, order_no, idx, x.out) ||
      !not_archived(x.s, *idx, x.out))
    return false;
  const Order& o = x.s.orders[*idx];
  if (o.first_invoice == kNone)
    return fail_state(x.out, "nothing_shipped", "nothing of this order has shipped");
  if (lines.empty())
    return fail(x.out, ErrorCode::BAD_REQUEST, "lines: say what comes back", "lines");
  return check_sku_lines(x.s, o, lines, returnable, "shipped and not yet returned", x.out);
}

}  // namespace

// return_goods: request, approval, receipt and credit in one step (admin only).
bool handle(Ctx& x, const ReturnGoods& cmd) {
  uint32_t idx = 0;
  if (!return_lines_ok(x, cmd.order_no, cmd.lines, cmd.reason, &idx)) return false;
  State& s = x.s;
  static const std::vector<SkuQty> kNothing;
  const std::vector<SkuQty>& restock = cmd.restock ? cmd.lines : kNothing;
  if (!credit_note_ok(s, idx, cmd.lines, restock, x.out)) return false;
  book_credit_note(x, idx, cmd.lines, restock, cmd.reason, x.out.emplace<ReturnView>());
  return true;
}

// request_return
bool handle(Ctx& x, const RequestReturn& cmd) {
  uint32_t idx = 0;
  if (!return_lines_ok(x, cmd.order_no, cmd.lines, cmd.reason, &idx)) return false;
  State& s = x.s;
  const Order& o = s.orders[idx];
  ReturnRec rec;
  rec.order = idx;
  rec.reason = s.add_text(cmd.reason);
  rec.value = value_of(s, o, cmd.lines, returnable);
  rec.first_line = static_cast<uint32_t>(s.return_lines.size());
  // One line per sku, in the order the skus were first named.
  for (const SkuQty& sq : cmd.lines) {
    const uint32_t p = s.skus.find(sq.sku.view());
    auto begin = s.return_lines.begin() + rec.first_line;
    auto it = std::find_if(begin, s.return_lines.end(),
                           [&](const ReturnLine& l) { return l.product == p; });
    if (it != s.return_lines.end())
      it->qty += sq.qty;  // both within the returnable quantity: no overflow
    else
      s.return_lines.push_back({p, sq.qty, 0, 0});
  }
  rec.line_count = static_cast<uint32_t>(s.return_lines.size()) - rec.first_line;
  rec.requested_by = s.principals.intern(x.by.name.view());
  rec.requested_at = x.now;
  s.returns.push_back(rec);
  ++s.returns_under_way[idx];  // keeps the order from being archived (engine/archive.cc)
  fill_return(s, static_cast<uint32_t>(s.returns.size() - 1), x.out.emplace<ReturnRecordView>());
  return true;
}

// approve_return
bool handle(Ctx& x, const ApproveReturn& cmd) {
  State& s = x.s;
  uint32_t r = 0;
  if (!text_ok(cmd.note, "note", x.out) || !return_or_fail(s, cmd.return_no, &r, x.out))
    return false;
  ReturnRec& rec = s.returns[r];
  if (rec.status != ReturnStatus::requested)
    return fail_state(x.out, rec.status == ReturnStatus::approved ? "already_approved" : "received",
                      "return " + std::to_string(cmd.return_no) + " is " +
                          to_string(rec.status) + ", not waiting for approval");
  if (s.principals.view(rec.requested_by) == x.by.name.view())
    return fail(x.out, ErrorCode::FORBIDDEN,
                "a return needs a second person: nobody approves their own return request");
  if (rec.value > s.policy.return_vp_minor && x.by.level < 2)
    return fail(x.out, ErrorCode::FORBIDDEN,
                "a return worth " + std::to_string(rec.value) +
                    " needs approval level 2 (more than the policy's return_vp_minor " +
                    std::to_string(s.policy.return_vp_minor) + "); yours is " +
                    std::to_string(x.by.level));
  rec.status = ReturnStatus::approved;
  rec.approved_by = s.principals.intern(x.by.name.view());
  rec.approved_at = x.now;
  if (!cmd.note.empty()) rec.note = s.add_text(cmd.note);
  fill_return(s, r, x.out.emplace<ReturnRecordView>());
  return true;
}

// receive_return
bool handle(Ctx& x, const ReceiveReturn& cmd) {
  State& s = x.s;
  uint32_t r = 0;
  if (!return_or_fail(s, cmd.return_no, &r, x.out)) return false;
  const ReturnRec& rec = s.returns[r];
  if (rec.status != ReturnStatus::approved)
    return fail_state(
        x.out, rec.status == ReturnStatus::requested ? "not_approved" : "already_received",
        "return " + std::to_string(cmd.return_no) + " is " + to_string(rec.status) +
            "; only an approved return is received");
  if (cmd.lines.empty())
    return fail(x.out, ErrorCode::BAD_REQUEST, "lines: say what was counted", "lines");
  // Counted per sku, within what was approved and what is still returnable on the order.
  std::vector<SkuQty> received, restock;
  std::vector<Qty> counted(rec.line_count, 0), passed(rec.line_count, 0);
  const Order& o = s.orders[rec.order];
  for (std::size_t i = 0; i < cmd.lines.size(); ++i) {
    const ReceiveLine& line = cmd.lines[i];
    if (!Key::valid(line.sku.view()))
      return fail(x.out, ErrorCode::BAD_REQUEST, "sku must be " + limits::key_text(),
                  line_field(i, "sku"));
    if (!kQtyRange.contains(line.qty))
      return fail(x.out, ErrorCode::BAD_REQUEST,
                  "qty must be an integer from " + limits::range_text(kQtyRange),
                  line_field(i, "qty"));
    if (line.qc > QcResult::fail)
      return fail(x.out, ErrorCode::BAD_REQUEST, "qc must be pass or fail", line_field(i, "qc"));
    const uint32_t p = s.skus.find(line.sku.view());
    uint32_t k = 0;
    while (k < rec.line_count && s.return_lines[rec.first_line + k].product != p) ++k;
    if (p == kNone || k == rec.line_count)
      return fail(x.out, ErrorCode::BAD_REQUEST,
                  "sku '" + std::string(line.sku.view()) + "' is not on this return",
                  line_field(i, "sku"));
    const ReturnLine& want = s.return_lines[rec.first_line + k];
    if (line.qty > want.qty - counted[k])
      return fail(x.out, ErrorCode::BAD_REQUEST,
                  "qty is more than the " + std::to_string(want.qty - counted[k]) +
                      " approved and not yet counted",
                  line_field(i, "qty"));
    Qty room = 0;
    for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l)
      if (s.lines[l].product == p) room += returnable(s.lines[l]);
    if (counted[k] + line.qty > room)
      return fail_state(x.out, "already_returned",
                        "only " + std::to_string(room) + " of sku '" +
                            std::string(line.sku.view()) +
                            "' are shipped and not yet returned on the order",
                        line_field(i, "qty"));
    counted[k] += line.qty;
    if (line.qc == QcResult::pass) passed[k] += line.qty;
  }
  for (uint32_t k = 0; k < rec.line_count; ++k) {
    const Key sku = Key::of(s.skus.view(s.return_lines[rec.first_line + k].product));
    if (counted[k] > 0) received.push_back({sku, counted[k]});
    if (passed[k] > 0) restock.push_back({sku, passed[k]});
  }
  if (!credit_note_ok(s, rec.order, received, restock, x.out)) return false;

  ReturnView credit;
  const std::string reason(s.text_of(rec.reason));  // the event's text is added to the arena
  book_credit_note(x, rec.order, received, restock, reason, credit);
  ReturnRec& done = s.returns[r];
  for (uint32_t k = 0; k < done.line_count; ++k) {
    s.return_lines[done.first_line + k].received = counted[k];
    s.return_lines[done.first_line + k].passed = passed[k];
  }
  done.status = ReturnStatus::received;
  return_arrived(s, done.order);  // engine/archive.cc
  done.received_by = s.principals.intern(x.by.name.view());
  done.received_at = x.now;
  done.credit_note_no = credit.credit_note_no;
  ReturnRecordView& v = x.out.emplace<ReturnRecordView>();
  fill_return(s, r, v);
  v.credit = std::move(credit);
  return true;
}

void get_return(const State& s, const GetReturn& q, Result& out) {
  uint32_t r = 0;
  if (return_or_fail(s, q.return_no, &r, out)) fill_return(s, r, out.emplace<ReturnRecordView>());
}

}  // namespace credo::internal

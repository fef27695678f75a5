// Fulfilment: ship (stock leaves, an invoice is issued) and return_goods (a credit note), and
// the helpers that check and spread (sku, qty) lists over an order's lines.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/handlers.h"

namespace credo::internal {

namespace {

// Validates a list of (sku, qty) against an order's lines: each sku must be on the order and
// the quantities asked per sku may not exceed `room(line)` summed over its lines.
template <typename Room>
bool check_sku_lines(const State& s, const Order& o, const std::vector<SkuQty>& req, Room room,
                     const char* what, Result& out) {
  std::vector<Qty>& pending = s.pending_qty;
  if (pending.size() < s.products.size()) pending.resize(s.products.size(), 0);
  bool ok = true;
  std::size_t i = 0;
  for (; i < req.size() && ok; ++i) {
    if (!Key::valid(req[i].sku.view())) {
      ok = fail(out, ErrorCode::BAD_REQUEST, "sku must be " + limits::key_text(),
                line_field(i, "sku"));
      break;
    }
    if (!kQtyRange.contains(req[i].qty)) {
      ok = fail(out, ErrorCode::BAD_REQUEST,
                "qty must be an integer from " + limits::range_text(kQtyRange),
                line_field(i, "qty"));
      break;
    }
    const uint32_t p = s.skus.find(req[i].sku.view());
    Qty total_room = 0;
    bool on_order = false;
    for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l) {
      if (s.lines[l].product != p || p == kNone) continue;
      on_order = true;
      total_room += room(s.lines[l]);
    }
    if (!on_order) {
      ok = fail(out, ErrorCode::BAD_REQUEST,
                "sku '" + std::string(req[i].sku.view()) + "' is not on this order",
                line_field(i, "sku"));
      break;
    }
    if (req[i].qty > total_room - pending[p]) {
      ok = fail(out, ErrorCode::BAD_REQUEST,
                "qty is more than the " + std::to_string(total_room - pending[p]) + " " + what,
                line_field(i, "qty"));
      break;
    }
    pending[p] += req[i].qty;
  }
  for (const auto& line : req) {
    const uint32_t p = s.skus.find(line.sku.view());
    if (p != kNone && p < pending.size()) pending[p] = 0;
  }
  return ok;
}

// Spreads `qty` of product `p` over the order's lines in line order, each line taking up to
// `room(line)`; calls `each(line, q)` for every piece. With a const State it only looks (to
// price a shipment or a return before changing anything), with a mutable one `each` may
// change the line.
template <typename S, typename Room, typename Each>
void spread(S& s, const Order& o, uint32_t p, Qty qty, Room room, Each each) {
  for (uint32_t l = o.first_line; l < o.first_line + o.line_count && qty > 0; ++l) {
    auto& line = s.lines[l];
    if (line.product != p) continue;
    const Qty q = std::min(qty, room(line));
    if (q == 0) continue;
    each(line, q);
    qty -= q;
  }
}

// The value of `lines` taken from the order, each sku spread over its lines as `spread` would.
template <typename Room>
Money value_of(const State& s, const Order& o, const std::vector<SkuQty>& lines, Room room) {
  Money amount = 0;
  for (const SkuQty& sq : lines)
    spread(s, o, s.skus.find(sq.sku.view()), sq.qty, room, [&](const OrderLine& line, Qty q) {
      amount += q * line.unit_price;  // <= what the order's lines are worth: cannot overflow
    });
  return amount;
}

}  // namespace

// ship
bool handle(Ctx& x, const Ship& cmd) {
  uint32_t idx = 0;
  if (!order_or_fail(x.s, cmd.order_no, &idx, x.out)) return false;
  State& s = x.s;
  Order& o = s.orders[idx];
  if (o.status != OrderStatus::accepted)
    return fail(x.out, ErrorCode::INVALID_STATE,
                std::string("only accepted orders ship; order is ") + to_string(o.status));
  if (!supply_open(s, o, x.out)) return false;  // engine/supply_stop.cc
  auto unshipped = [](const OrderLine& l) { return l.qty - l.shipped; };
  if (!check_sku_lines(s, o, cmd.lines, unshipped, "unshipped", x.out)) return false;
  Customer& c = s.customers[o.customer];
  // The shipment's value is part of the order's open value, which is already counted in
  // open_orders; it moves to receivables (credit) and the ledger.
  const Money amount = cmd.lines.empty() ? o.open_value : value_of(s, o, cmd.lines, unshipped);
  Money check;
  if ((o.payment == PaymentTerms::credit && add_overflows(c.receivables, amount, &check)) ||
      add_overflows(c.ledger_balance, amount, &check))
    return fail(x.out, ErrorCode::BAD_REQUEST, "the customer's receivables would overflow");

  ShipView& view = x.out.emplace<ShipView>();
  view.lines.clear();
  const auto first_invoice_line = static_cast<uint32_t>(s.invoice_lines.size());
  auto ship_piece = [&](OrderLine& line, Qty q) {
    s.invoice_lines.push_back({line.product, q, q * line.unit_price});
    // check_sku_lines kept q within the unshipped quantity, which is reserved stock.
    CREDO_ASSERT(q <= s.products[line.product].reserved);
    line.shipped += q;
    s.products[line.product].on_hand -= q;
    s.products[line.product].reserved -= q;
  };
  if (cmd.lines.empty()) {
    for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l) {
      OrderLine& line = s.lines[l];
      const Qty q = line.qty - line.shipped;
      if (q == 0) continue;
      ship_piece(line, q);
      Key sku = Key::of(s.skus.view(line.product));
      view.lines.push_back({sku, q});
    }
  } else {
    for (const SkuQty& sq : cmd.lines) {
      spread(s, o, s.skus.find(sq.sku.view()), sq.qty, unshipped, ship_piece);
      view.lines.push_back(sq);
    }
  }
  o.open_value -= amount;
  const uint32_t inv = static_cast<uint32_t>(s.invoices.size());
  Invoice invoice;
  invoice.customer = o.customer;
  invoice.order = idx;
  invoice.amount = amount;
  invoice.issued = s.today();
  invoice.due = s.today() + c.terms_days;
  if (o.payment == PaymentTerms::prepaid) {
    // Settled at once from the order's prepayment.
    o.prepaid_remaining -= amount;
    c.prepaid_reserved -= amount;
    invoice.open = 0;
  } else {
    c.open_orders -= amount;
    c.receivables += amount;
    invoice.open = amount;
  }
  s.invoices.push_back(invoice);
  note_invoice(s, inv, first_invoice_line);
  if (o.payment == PaymentTerms::prepaid && amount > 0)
    note_settlement(s, inv, amount, SettleSource::prepaid);
  if (o.last_invoice != kNone)
    s.invoices[o.last_invoice].next_in_order = inv;
  else
    o.first_invoice = inv;
  o.last_invoice = inv;
  if (invoice.open > 0) {
    auto pos =
        std::upper_bound(c.open_invoices.begin(), c.open_invoices.end(), invoice.due,
                         [&](Day due, uint32_t other) { return due < s.invoices[other].due; });
    c.open_invoices.insert(pos, inv);
    apply_unapplied(s, o.customer, nullptr);
  }
  add_ledger(s, o.customer, EntryKind::invoice, inv + 1, kNone, amount);
  DailyAgg& day = s.daily_at(s.today());
  day.shipments += 1;
  day.shipped_value = sat_add(day.shipped_value, amount);
  if (o.ship_by != kNoDay) {  // orderbook: on-time delivery, against the order's ship_by
    day.shipments_with_ship_by += 1;
    day.shipments_on_time += s.today() <= o.ship_by;
  }
  bool all_shipped = true;
  for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l)
    all_shipped &= s.lines[l].shipped == s.lines[l].qty;
  if (all_shipped) {
    list_remove(s, idx);
    set_status(s, idx, OrderStatus::shipped);
  }
  add_event(s, idx, EventKind::shipped, &x.by, x.now, inv + 1, amount, {});
  view.order_no = cmd.order_no;
  view.invoice_no = inv + 1;
  view.amount = amount;
  view.due_date = invoice.due;
  view.status = o.status;
  return true;
}

// return_goods
bool handle(Ctx& x, const ReturnGoods& cmd) {
  uint32_t idx = 0;
  if (!text_ok(cmd.reason, "reason", x.out) || !order_or_fail(x.s, cmd.order_no, &idx, x.out))
    return false;
  State& s = x.s;
  Order& o = s.orders[idx];
  if (o.first_invoice == kNone)
    return fail(x.out, ErrorCode::INVALID_STATE, "nothing of this order has shipped");
  if (cmd.lines.empty())
    return fail(x.out, ErrorCode::BAD_REQUEST, "lines: say what comes back", "lines");
  auto returnable = [](const OrderLine& l) { return l.shipped - l.returned; };
  if (!check_sku_lines(s, o, cmd.lines, returnable, "shipped and not yet returned", x.out))
    return false;
  const Money amount = value_of(s, o, cmd.lines, returnable);
  for (const SkuQty& sq : cmd.lines) {
    Qty check;
    if (cmd.restock &&
        add_overflows(s.products[s.skus.find(sq.sku.view())].on_hand, sq.qty, &check))
      return fail(x.out, ErrorCode::BAD_REQUEST, "on_hand would overflow", "lines");
  }
  Customer& c = s.customers[o.customer];
  Money check;
  if (add_overflows(c.unapplied, amount, &check) || sub_overflows(c.ledger_balance, amount, &check))
    return fail(x.out, ErrorCode::BAD_REQUEST, "the customer's balance would overflow");

  for (const SkuQty& sq : cmd.lines) {
    const uint32_t p = s.skus.find(sq.sku.view());
    spread(s, o, p, sq.qty, returnable, [](OrderLine& line, Qty q) { line.returned += q; });
    if (cmd.restock) s.products[p].on_hand += sq.qty;
  }
  const uint64_t note_no = s.credit_notes.size() + 1;
  s.credit_notes.push_back({idx, amount, x.now});
  ReturnView& view = x.out.emplace<ReturnView>();
  view.applied.clear();
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
  c.unapplied += rest;
  apply_unapplied(s, o.customer, &view.applied);
  add_ledger(s, o.customer, EntryKind::credit_note, note_no, kNone, -amount);
  DailyAgg& day = s.daily_at(s.today());
  day.returns += 1;
  day.returns_value = sat_add(day.returns_value, amount);
  add_event(s, idx, EventKind::returned, &x.by, x.now, note_no, amount, cmd.reason);
  ladder_check(s, o.customer);
  view.order_no = cmd.order_no;
  view.credit_note_no = note_no;
  view.amount = amount;
  view.unapplied = c.unapplied;
  return true;
}

}  // namespace credo::internal

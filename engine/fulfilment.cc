// Fulfilment: ship (stock leaves, an invoice is issued). Returns (credit notes) are in
// engine/returns.cc; the (sku, qty) helpers both use are in engine/order_lines.h.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/handlers.h"
#include "engine/order_lines.h"

namespace credo::internal {

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
  if (!deposit_ship_ok(s, o, x.out)) return false;  // engine/payment_terms.cc
  auto unshipped = [](const OrderLine& l) { return l.qty - l.shipped; };
  if (!check_sku_lines(s, o, cmd.lines, unshipped, "unshipped", x.out)) return false;
  Customer& c = s.customers[o.customer];
  // The shipment's value is part of the order's open value, which is already counted in
  // open_orders; it moves to receivables (credit) and the ledger.
  const Money amount = cmd.lines.empty() ? o.open_value : value_of(s, o, cmd.lines, unshipped);
  Money check;
  if ((o.payment != PaymentTerms::prepaid && add_overflows(c.receivables, amount, &check)) ||
      add_overflows(c.ledger_balance, amount, &check))
    return fail(x.out, ErrorCode::BAD_REQUEST, "the customer's receivables would overflow");

  ShipView& view = x.out.emplace<ShipView>();
  view.lines.clear();
  const auto first_invoice_line = static_cast<uint32_t>(s.invoice_lines.size());
  auto ship_piece = [&](OrderLine& line, Qty q) {
    s.invoice_lines.push_back({line.product, q, q * line.unit_price});
    // check_sku_lines kept q within the unshipped quantity, which is reserved stock.
    CREDO_ASSERT(q <= s.products[line.product].reserved);
    line.shipped = line_qty(line.shipped + q);
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
  const Money credit_before = credit_value(o);
  o.open_value -= amount;
  const uint32_t inv = static_cast<uint32_t>(s.invoices.size());
  Invoice invoice;
  invoice.customer = o.customer;
  invoice.order = idx;
  invoice.amount = amount;
  invoice.issued = s.today();
  // Cash on delivery is due on the day the goods arrive (現款現貨, 004 9-02 §5.4).
  invoice.due = s.today() + (o.payment == PaymentTerms::cod ? 0 : c.terms_days);
  // Settled at once from the order's prepayment, or as far as it goes from its paid deposit.
  const Money from_deposit = std::min(amount, o.prepaid_remaining);
  o.prepaid_remaining -= from_deposit;
  c.prepaid_reserved -= from_deposit;
  invoice.open = amount - from_deposit;
  c.open_orders -= credit_before - credit_value(o);
  c.receivables += invoice.open;
  s.invoices.push_back(invoice);
  note_invoice(s, inv, first_invoice_line);
  if (from_deposit > 0) note_settlement(s, inv, from_deposit, SettleSource::prepaid);
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

}  // namespace credo::internal

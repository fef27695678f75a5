// Helpers that check and spread (sku, qty) lists over an order's lines: shipping
// (engine/fulfilment.cc) and returns (engine/returns.cc) price and move quantities with them.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "engine/handlers.h"

namespace credo::internal {

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
    const Qty q = std::min<Qty>(qty, room(line));
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

}  // namespace credo::internal

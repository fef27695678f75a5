// Orders: submit_order and submit_orders (decide, deduplicate by client_order_id, record),
// and the moves of an open order: cancel_order, reject_order (release_order and approve_order:
// engine/approvals.cc).
#include <string>
#include <string_view>

#include "engine/authority.h"
#include "engine/handlers.h"

namespace credo::internal {

namespace {

// Looks up an earlier order with the same (customer, client_order_id); kNone if none. The
// customer's id comes from the decision, which looked it up.
uint32_t find_duplicate(const State& s, const OrderRequest& req, const Decision& d) {
  if (req.client_order_id.empty() || d.customer_key == kNone) return kNone;
  return find_client_order(s, d.customer_key, req.client_order_id);
}

// Records a decided order: numbers it, reserves stock, counts exposure, opens its history.
uint32_t record_order(Ctx& x, const OrderRequest& req, const Decision& d) {
  State& s = x.s;
  CREDO_ASSERT(d.lines.size() == req.lines.size(), "decide prices every line of the request");
  const uint32_t idx = static_cast<uint32_t>(s.orders.size());
  s.orders.emplace_back();
  Order o;
  o.customer = d.customer_key != kNone ? d.customer_key : intern_customer(s, req.customer);
  o.submitted_by = s.principals.intern(x.by.name.view());
  if (!req.client_order_id.empty()) {
    char buf[4 + Key::kMaxLen];
    o.client_order_id =
        s.client_order_ids.intern(client_order_key(o.customer, req.client_order_id, buf));
    s.client_order_to_order.push_back(idx);
  }
  o.status = o.decision = d.status;
  o.payment = req.payment;
  o.first_line = static_cast<uint32_t>(s.lines.size());
  o.line_count = static_cast<uint32_t>(d.lines.size());
  o.first_reason = static_cast<uint32_t>(s.reasons.size());
  o.reason_count = static_cast<uint32_t>(d.reasons.size());
  o.total = d.total;
  o.at = o.accepted_at = x.now;
  o.day = day_of(x.now);
  o.ship_by = req.ship_by.value_or(kNoDay);
  if (!req.ref.empty()) o.ref = s.add_text(req.ref);
  s.reasons.append(d.reasons.begin(), d.reasons.end());
  for (std::size_t i = 0; i < d.lines.size(); ++i) {
    const LineCalc& lc = d.lines[i];
    OrderLine line;
    line.product = lc.product != kNone ? lc.product : intern_product(s, req.lines[i].sku);
    line.qty = line_qty(req.lines[i].qty);
    line.unit_price = lc.unit_price;
    line.discount_bp = lc.discount_bp;
    line.amount = lc.amount;
    line.price_source = lc.source;
    s.lines.push_back(line);
  }
  const bool open = d.status != OrderStatus::rejected;
  if (open) {
    for (std::size_t i = 0; i < d.lines.size(); ++i)
      s.products[d.lines[i].product].reserved += req.lines[i].qty;
    Customer& c = s.customers[o.customer];
    if (req.payment == PaymentTerms::prepaid) {
      c.unapplied -= d.total;
      c.prepaid_reserved += d.total;
      o.prepaid_remaining = d.total;
    } else if (req.payment == PaymentTerms::cod) {
      // Cash on delivery: no credit, so nothing in the customer's exposure until invoiced.
    } else if (d.status == OrderStatus::held) {
      c.held += d.total;
    } else {
      c.open_orders += d.total;
    }
    o.open_value = d.total;
  }
  s.orders[idx] = o;
  if (req.payment == PaymentTerms::deposit) start_deposit(s, idx, d.deposit_due, x.now);
  index_order(s, idx);
  if (open) list_push(s, d.status == OrderStatus::held ? OpenList::held : OpenList::accepted, idx);

  DailyAgg& day = s.daily_at(o.day);
  const int st = static_cast<int>(d.status);
  day.count_by_status[st] += 1;
  day.value_by_status[st] = sat_add(day.value_by_status[st], d.total);
  if (d.status == OrderStatus::held) {
    bool seen[kReasonCount] = {};
    for (const ReasonRec& r : d.reasons) seen[static_cast<int>(r.code)] = true;
    for (int r = 0; r < kReasonCount; ++r) day.holds_by_reason[r] += seen[r];
  }
  // No "submitted" event is stored: the order itself records who, when and how much, and
  // fill_order_view derives the event from it (one write less per order).
  return idx;
}

// Decides one order request; on success fills `view` (recording the order unless a quote).
bool submit_one(Ctx& x, const OrderRequest& req, Decision& d, OrderView& view,
                std::string_view field_prefix) {
  if (!decide(x.s, req, x.by, x.now, d, x.out, field_prefix)) return false;
  const uint32_t dup = find_duplicate(x.s, req, d);
  if (dup != kNone) {
    fill_order_view(x.s, dup, false, view);
    view.duplicate = true;
    return true;
  }
  const uint32_t idx = record_order(x, req, d);
  fill_decision_view(x.s, req, d, x.by, x.now, view);
  view.order_no = kFirstOrderNo + idx;
  return true;
}

Decision& scratch_decision() {
  static thread_local Decision d;  // reused: deciding allocates nothing in steady state
  return d;
}

}  // namespace

void release_holdings(State& s, uint32_t idx) {
  Order& o = s.orders[idx];
  CREDO_ASSERT(o.status == OrderStatus::held || o.status == OrderStatus::accepted,
               "only an open order holds anything");
  for (uint32_t i = o.first_line; i < o.first_line + o.line_count; ++i) {
    const OrderLine& line = s.lines[i];
    CREDO_ASSERT(s.products[line.product].reserved >= line.qty - line.shipped);
    s.products[line.product].reserved -= line.qty - line.shipped;
  }
  Customer& c = s.customers[o.customer];
  (o.status == OrderStatus::held ? c.held : c.open_orders) -= credit_value(o);
  // A prepayment, or the unused part of a paid deposit, goes back to the unapplied balance.
  c.prepaid_reserved -= o.prepaid_remaining;
  c.unapplied += o.prepaid_remaining;
  o.prepaid_remaining = 0;
  o.open_value = 0;
}

void take_holdings(State& s, uint32_t idx) {
  Order& o = s.orders[idx];
  CREDO_ASSERT(o.status == OrderStatus::held || o.status == OrderStatus::accepted,
               "only an open order holds anything");
  Money open_value = 0;
  for (uint32_t i = o.first_line; i < o.first_line + o.line_count; ++i) {
    const OrderLine& line = s.lines[i];
    s.products[line.product].reserved += line.qty - line.shipped;
    open_value += (line.qty - line.shipped) * line.unit_price;  // <= the total: no overflow
  }
  Customer& c = s.customers[o.customer];
  if (o.payment == PaymentTerms::prepaid) {
    c.unapplied -= open_value;
    c.prepaid_reserved += open_value;
    o.prepaid_remaining = open_value;
  } else if (o.payment == PaymentTerms::cod) {
    // not in the customer's exposure
  } else if (o.status == OrderStatus::held) {
    c.held += open_value;
  } else {
    c.open_orders += open_value;
  }
  o.open_value = open_value;
}

// Releases everything an open order still holds (stock, exposure, prepayment) and closes it.
void close_open_order(State& s, uint32_t idx, OrderStatus final_status) {
  release_holdings(s, idx);
  Order& o = s.orders[idx];
  list_remove(s, idx);
  set_status(s, idx, final_status);
  if (o.payment == PaymentTerms::prepaid || o.payment == PaymentTerms::deposit) {
    apply_unapplied(s, o.customer, nullptr);  // the returned prepayment may settle invoices
    ladder_check(s, o.customer);
  }
}

// submit_order
bool handle(Ctx& x, const SubmitOrder& cmd) {
  return submit_one(x, cmd.order, scratch_decision(), x.out.emplace<OrderView>(), {});
}

// submit_orders
bool handle(Ctx& x, const SubmitOrders& cmd) {
  if (cmd.orders.empty() || cmd.orders.size() > kMaxBatchOrders)
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "orders must hold " + limits::range_text(1, kMaxBatchOrders) + " orders", "orders");
  BatchView& batch = x.out.emplace<BatchView>();
  batch.results.resize(cmd.orders.size());
  Result item_error;
  const std::size_t n = cmd.orders.size();
  for (std::size_t i = 0; i < n; ++i) {
    // Cache hints for the orders a few places on (Engine::prefetch).
    Engine::prefetch_ahead(i, n, [&](std::size_t j, Engine::PrefetchStage stage) {
      prefetch_order(x.s, cmd.orders[j], stage);
    });
    BatchView::Item& item = batch.results[i];
    item.error = Error{};
    item_error.error = Error{};
    Ctx item_ctx{x.s, x.by, x.now, item_error};
    const std::string prefix = "orders[" + std::to_string(i) + "].";
    if (!submit_one(item_ctx, cmd.orders[i], scratch_decision(), item.order, prefix))
      item.error = std::move(item_error.error);
  }
  return true;
}

// cancel_order
bool handle(Ctx& x, const CancelOrder& cmd) {
  uint32_t idx = 0;
  if (!text_ok(cmd.reason, "reason", x.out) || !order_or_fail(x.s, cmd.order_no, &idx, x.out))
    return false;
  const Order& o = x.s.orders[idx];
  AuthFacts facts;
  facts.order_known = true;
  facts.own_order = x.s.principals.find(x.by.name.view()) == o.submitted_by;
  // Only an open order has an unshipped rest to cancel; a finished one is INVALID_STATE below.
  const bool open = o.status == OrderStatus::held || o.status == OrderStatus::accepted;
  for (uint32_t l = o.first_line; open && l < o.first_line + o.line_count; ++l)
    facts.partly_shipped |= x.s.lines[l].shipped > 0;
  if (!authorize(op_id<CancelOrder>(), x.by, facts, x.out.error)) return false;
  if (o.status != OrderStatus::held && o.status != OrderStatus::accepted)
    return fail(x.out, ErrorCode::INVALID_STATE,
                std::string("order is ") + to_string(o.status) + ": nothing left to cancel");
  close_open_order(x.s, idx, OrderStatus::cancelled);
  add_event(x.s, idx, EventKind::cancelled, &x.by, x.now, 0, 0, cmd.reason);
  fill_order_view(x.s, idx, false, x.out.emplace<OrderView>());
  return true;
}

// reject_order
bool handle(Ctx& x, const RejectOrder& cmd) {
  uint32_t idx = 0;
  if (!text_ok(cmd.reason, "reason", x.out) || !order_or_fail(x.s, cmd.order_no, &idx, x.out))
    return false;
  if (x.s.orders[idx].status != OrderStatus::held)
    return fail(x.out, ErrorCode::INVALID_STATE,
                std::string("only held orders can be rejected; order is ") +
                    to_string(x.s.orders[idx].status));
  close_open_order(x.s, idx, OrderStatus::rejected);
  add_event(x.s, idx, EventKind::rejected, &x.by, x.now, 0, 0, cmd.reason);
  fill_order_view(x.s, idx, false, x.out.emplace<OrderView>());
  return true;
}

}  // namespace credo::internal

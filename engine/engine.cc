// Engine::apply: one visit over the command body, one `handle` overload per command (the op is
// declared in engine/ops.h). Authority is asked of engine/authority.h before the handler runs
// (and again by the handlers whose rule depends on the order). Every handler validates
// everything first and only then changes state, so a command that fails changes nothing (not
// even business time).
#include "engine/engine.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

#include "engine/authority.h"
#include "engine/internal.h"

namespace credo {

using namespace internal;

namespace {

struct Ctx {
  State& s;
  const Principal& by;
  TimeMs now;
  Result& out;
};

bool text_ok(const std::string& t, const char* field, Result& out) {
  if (t.size() <= kMaxTextLen) return true;
  return fail(out, ErrorCode::BAD_REQUEST,
              std::string(field) + " is longer than " + std::to_string(kMaxTextLen) + " bytes",
              field);
}

bool key_ok(const Key& k, const char* field, Result& out) {
  if (Key::valid(k.view())) return true;
  return fail(out, ErrorCode::BAD_REQUEST,
              std::string(field) + " must be " + limits::key_text() + " without spaces", field);
}

uint32_t find_customer(const State& s, const Key& k) {
  const uint32_t c = s.customer_ids.find(k.view());
  return c != kNone && s.customers[c].exists ? c : kNone;
}
uint32_t find_product(const State& s, const Key& k) {
  const uint32_t p = s.skus.find(k.view());
  return p != kNone && s.products[p].exists ? p : kNone;
}
bool customer_or_fail(const State& s, const Key& k, uint32_t* c, Result& out) {
  if (!key_ok(k, "customer", out)) return false;
  *c = find_customer(s, k);
  if (*c != kNone) return true;
  return fail(out, ErrorCode::NOT_FOUND, "no customer '" + std::string(k.view()) + "'", "customer");
}
bool product_or_fail(const State& s, const Key& k, uint32_t* p, Result& out) {
  if (!key_ok(k, "sku", out)) return false;
  *p = find_product(s, k);
  if (*p != kNone) return true;
  return fail(out, ErrorCode::NOT_FOUND, "no product '" + std::string(k.view()) + "'", "sku");
}
bool order_or_fail(const State& s, OrderNo no, uint32_t* idx, Result& out) {
  if (no >= kFirstOrderNo && no - kFirstOrderNo < s.orders.size()) {
    *idx = static_cast<uint32_t>(no - kFirstOrderNo);
    return true;
  }
  return fail(out, ErrorCode::NOT_FOUND, "no order " + std::to_string(no), "order_no");
}

uint32_t intern_customer(State& s, const Key& k) {
  const uint32_t c = s.customer_ids.intern(k.view());
  if (c == s.customers.size()) s.customers.emplace_back();
  return c;
}
uint32_t intern_product(State& s, const Key& k) {
  const uint32_t p = s.skus.intern(k.view());
  if (p == s.products.size()) s.products.emplace_back();
  return p;
}

// Status set by a person: the ladder steps back (docs/rules.md, "Overdue ladder").
void set_status_by_person(State& s, uint32_t c, CustomerStatus status, std::string_view reason) {
  Customer& cust = s.customers[c];
  cust.status = status;
  cust.suspended_by_ladder = false;
  cust.status_reason = reason.empty() ? Text{} : s.add_text(reason);
  const bool overdue =
      !cust.open_invoices.empty() && s.today() - s.invoices[cust.open_invoices.front()].due > 0;
  cust.ladder_override = status == CustomerStatus::active && overdue;
}

void fill_customer(const State& s, uint32_t c, Result& out) {
  fill_customer_view(s, c, s.today(), out.emplace<CustomerView>());
}
void fill_product(const State& s, uint32_t p, Result& out) {
  fill_product_view(s, p, out.emplace<ProductView>());
}

// ---- master data ----------------------------------------------------------------------------

// upsert_customer
bool handle(Ctx& x, const UpsertCustomer& cmd) {
  if (!key_ok(cmd.customer, "customer", x.out)) return false;
  if (cmd.name && !text_ok(*cmd.name, "name", x.out)) return false;
  if (cmd.credit_limit && *cmd.credit_limit < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "credit_limit may not be negative", "credit_limit");
  if (cmd.terms_days && !kTermsDaysRange.contains(*cmd.terms_days))
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "terms_days must be " + limits::range_text(kTermsDaysRange), "terms_days");
  State& s = x.s;
  const uint32_t c = intern_customer(s, cmd.customer);
  Customer& cust = s.customers[c];
  if (!cust.exists) {  // new (or a phantom named by an earlier rejected order)
    cust.exists = true;
    cust.grade = Grade::D;
    cust.credit_limit = 0;
    cust.terms_days = 30;
    cust.status = CustomerStatus::active;
  }
  if (cmd.name) cust.name = s.add_text(*cmd.name);
  if (cmd.grade) cust.grade = *cmd.grade;
  if (cmd.credit_limit) cust.credit_limit = *cmd.credit_limit;
  if (cmd.terms_days) cust.terms_days = *cmd.terms_days;
  if (cmd.status) set_status_by_person(s, c, *cmd.status, {});
  fill_customer(s, c, x.out);
  return true;
}

// set_credit
bool handle(Ctx& x, const SetCredit& cmd) {
  uint32_t c;
  if (!customer_or_fail(x.s, cmd.customer, &c, x.out) || !text_ok(cmd.reason, "reason", x.out))
    return false;
  if (!cmd.credit_limit && !cmd.grade && !cmd.terms_days)
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "set_credit needs at least one of credit_limit, grade, terms_days");
  if (cmd.credit_limit && *cmd.credit_limit < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "credit_limit may not be negative", "credit_limit");
  if (cmd.terms_days && !kTermsDaysRange.contains(*cmd.terms_days))
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "terms_days must be " + limits::range_text(kTermsDaysRange), "terms_days");
  Customer& cust = x.s.customers[c];
  if (cmd.credit_limit) cust.credit_limit = *cmd.credit_limit;
  if (cmd.grade) cust.grade = *cmd.grade;
  if (cmd.terms_days) cust.terms_days = *cmd.terms_days;
  fill_customer(x.s, c, x.out);
  return true;
}

// set_customer_status
bool handle(Ctx& x, const SetCustomerStatus& cmd) {
  uint32_t c;
  if (!customer_or_fail(x.s, cmd.customer, &c, x.out) || !text_ok(cmd.reason, "reason", x.out))
    return false;
  set_status_by_person(x.s, c, cmd.status, cmd.reason);
  fill_customer(x.s, c, x.out);
  return true;
}

// upsert_product
bool handle(Ctx& x, const UpsertProduct& cmd) {
  if (!key_ok(cmd.sku, "sku", x.out)) return false;
  if (cmd.name && !text_ok(*cmd.name, "name", x.out)) return false;
  State& s = x.s;
  const uint32_t existing = find_product(s, cmd.sku);
  if (existing == kNone && !cmd.price)
    return fail(x.out, ErrorCode::BAD_REQUEST, "a new product needs a price", "price");
  if (cmd.price && *cmd.price < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "price may not be negative", "price");
  if (cmd.floor_price && *cmd.floor_price < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "floor_price may not be negative", "floor_price");
  const Money price = cmd.price ? *cmd.price : s.products[existing].price;
  const Money floor = cmd.floor_price     ? *cmd.floor_price
                      : existing == kNone ? price
                                          : std::min(s.products[existing].floor_price, price);
  if (floor > price)
    return fail(x.out, ErrorCode::BAD_REQUEST, "floor_price may not be above price", "floor_price");
  if (cmd.on_hand) {
    if (*cmd.on_hand < 0)
      return fail(x.out, ErrorCode::BAD_REQUEST, "on_hand may not be negative", "on_hand");
    if (existing != kNone && *cmd.on_hand < s.products[existing].reserved)
      return fail(x.out, ErrorCode::INVALID_STATE,
                  "on_hand may not go below reserved (" +
                      std::to_string(s.products[existing].reserved) + ")",
                  "on_hand");
  }
  const uint32_t p = intern_product(s, cmd.sku);
  Product& prod = s.products[p];
  prod.exists = true;
  prod.price = price;
  prod.floor_price = floor;
  if (cmd.name) prod.name = s.add_text(*cmd.name);
  if (cmd.on_hand) prod.on_hand = *cmd.on_hand;
  fill_product(s, p, x.out);
  return true;
}

// receive_stock
bool handle(Ctx& x, const ReceiveStock& cmd) {
  uint32_t p;
  if (!product_or_fail(x.s, cmd.sku, &p, x.out)) return false;
  if (!kQtyRange.contains(cmd.qty))
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "qty must be an integer from " + limits::range_text(kQtyRange), "qty");
  Qty on_hand;
  if (add_overflows(x.s.products[p].on_hand, cmd.qty, &on_hand))
    return fail(x.out, ErrorCode::BAD_REQUEST, "on_hand would overflow", "qty");
  x.s.products[p].on_hand = on_hand;
  fill_product(x.s, p, x.out);
  return true;
}

// adjust_stock
bool handle(Ctx& x, const AdjustStock& cmd) {
  uint32_t p;
  if (!product_or_fail(x.s, cmd.sku, &p, x.out)) return false;
  if (cmd.on_hand < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "on_hand may not be negative", "on_hand");
  Product& prod = x.s.products[p];
  if (cmd.on_hand < prod.reserved)
    return fail(x.out, ErrorCode::INVALID_STATE,
                "on_hand may not go below reserved (" + std::to_string(prod.reserved) + ")",
                "on_hand");
  prod.on_hand = cmd.on_hand;
  fill_product(x.s, p, x.out);
  return true;
}

// ---- orders ---------------------------------------------------------------------------------

std::string_view client_order_key(uint32_t customer, const Key& coid, char* buf) {
  std::memcpy(buf, &customer, 4);
  std::memcpy(buf + 4, coid.data, coid.len);
  return {buf, 4u + coid.len};
}

// Looks up an earlier order with the same (customer, client_order_id); kNone if none.
uint32_t find_duplicate(const State& s, const OrderRequest& req) {
  if (req.client_order_id.empty()) return kNone;
  const uint32_t c = s.customer_ids.find(req.customer.view());
  if (c == kNone) return kNone;
  char buf[4 + Key::kMaxLen];
  const uint32_t id = s.client_order_ids.find(client_order_key(c, req.client_order_id, buf));
  return id == kNone ? kNone : s.client_order_to_order[id];
}

// Records a decided order: numbers it, reserves stock, counts exposure, opens its history.
uint32_t record_order(Ctx& x, const OrderRequest& req, const Decision& d) {
  State& s = x.s;
  const uint32_t idx = static_cast<uint32_t>(s.orders.size());
  s.orders.emplace_back();
  Order o;
  o.customer = d.customer != kNone ? d.customer : intern_customer(s, req.customer);
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
    line.qty = req.lines[i].qty;
    line.unit_price = lc.unit_price;
    line.discount_bp = lc.discount_bp;
    line.amount = lc.amount;
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
    } else if (d.status == OrderStatus::held) {
      c.held += d.total;
    } else {
      c.open_orders += d.total;
    }
    o.open_value = d.total;
  }
  s.orders[idx] = o;
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
  const uint32_t dup = find_duplicate(x.s, req);
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
  for (std::size_t i = 0; i < cmd.orders.size(); ++i) {
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

// Releases everything an open order still holds (stock, exposure, prepayment) and closes it.
void close_open_order(State& s, uint32_t idx, OrderStatus final_status) {
  Order& o = s.orders[idx];
  for (uint32_t i = o.first_line; i < o.first_line + o.line_count; ++i) {
    const OrderLine& line = s.lines[i];
    s.products[line.product].reserved -= line.qty - line.shipped;
  }
  Customer& c = s.customers[o.customer];
  if (o.payment == PaymentTerms::prepaid) {
    c.prepaid_reserved -= o.prepaid_remaining;
    c.unapplied += o.prepaid_remaining;
    o.prepaid_remaining = 0;
  } else if (o.status == OrderStatus::held) {
    c.held -= o.open_value;
  } else {
    c.open_orders -= o.open_value;
  }
  o.open_value = 0;
  list_remove(s, idx);
  set_status(s, idx, final_status);
  if (o.payment == PaymentTerms::prepaid) {
    apply_unapplied(s, o.customer, nullptr);  // the returned prepayment may settle invoices
    ladder_check(s, o.customer);
  }
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
  if (!authorize(op_id<CancelOrder>(), x.by, facts, x.out.error)) return false;
  if (o.status != OrderStatus::held && o.status != OrderStatus::accepted)
    return fail(x.out, ErrorCode::INVALID_STATE,
                std::string("order is ") + to_string(o.status) + ": nothing left to cancel");
  close_open_order(x.s, idx, OrderStatus::cancelled);
  add_event(x.s, idx, EventKind::cancelled, &x.by, x.now, 0, 0, cmd.reason);
  fill_order_view(x.s, idx, false, x.out.emplace<OrderView>());
  return true;
}

// release_order
bool handle(Ctx& x, const ReleaseOrder& cmd) {
  uint32_t idx = 0;
  if (!text_ok(cmd.note, "note", x.out) || !order_or_fail(x.s, cmd.order_no, &idx, x.out))
    return false;
  State& s = x.s;
  Order& o = s.orders[idx];
  if (o.status != OrderStatus::held)
    return fail(x.out, ErrorCode::INVALID_STATE,
                std::string("only held orders can be released; order is ") + to_string(o.status));
  for (uint32_t r = o.first_reason; r < o.first_reason + o.reason_count; ++r) {
    AuthFacts facts;
    facts.reason = s.reasons[r].code;
    facts.required_level = s.reasons[r].required_level;
    if (!authorize(op_id<ReleaseOrder>(), x.by, facts, x.out.error)) return false;
  }
  if (o.payment == PaymentTerms::credit) {
    Customer& c = s.customers[o.customer];
    c.held -= o.open_value;
    c.open_orders += o.open_value;
  }
  list_remove(s, idx);
  set_status(s, idx, OrderStatus::accepted);
  o.accepted_at = x.now;
  list_push(s, OpenList::accepted, idx);
  add_event(s, idx, EventKind::released, &x.by, x.now, 0, 0, cmd.note);
  fill_order_view(s, idx, false, x.out.emplace<OrderView>());
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

// ---- fulfilment and money -------------------------------------------------------------------

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

// ship
bool handle(Ctx& x, const Ship& cmd) {
  uint32_t idx = 0;
  if (!order_or_fail(x.s, cmd.order_no, &idx, x.out)) return false;
  State& s = x.s;
  Order& o = s.orders[idx];
  if (o.status != OrderStatus::accepted)
    return fail(x.out, ErrorCode::INVALID_STATE,
                std::string("only accepted orders ship; order is ") + to_string(o.status));
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
  auto ship_piece = [&](OrderLine& line, Qty q) {
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

void fill_payment(const State& s, uint32_t pay, PaymentView& v) {
  const Payment& p = s.payments[pay];
  v.customer = Key::of(s.customer_ids.view(p.customer));
  v.payment_ref = Key::of(s.payment_refs.view(pay));
  v.amount = p.amount;
  v.applied.assign(s.applications.begin() + p.first_application,
                   s.applications.begin() + p.first_application + p.application_count);
  v.unapplied = s.customers[p.customer].unapplied;
  v.duplicate = false;
}

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
  cust.unapplied += cmd.amount;
  apply_unapplied(s, c, &s.applications);
  p.application_count = static_cast<uint32_t>(s.applications.size()) - p.first_application;
  s.payments.push_back(p);
  add_ledger(s, c, EntryKind::payment, pay + 1, pay, -cmd.amount);
  DailyAgg& day = s.daily_at(s.today());
  day.payments += 1;
  day.payments_received = sat_add(day.payments_received, cmd.amount);
  ladder_check(s, c);
  fill_payment(s, pay, x.out.emplace<PaymentView>());
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

// write_off
bool handle(Ctx& x, const WriteOff& cmd) {
  if (!text_ok(cmd.reason, "reason", x.out)) return false;
  State& s = x.s;
  if (cmd.invoice_no < 1 || cmd.invoice_no > s.invoices.size())
    return fail(x.out, ErrorCode::NOT_FOUND, "no invoice " + std::to_string(cmd.invoice_no),
                "invoice_no");
  const uint32_t inv = static_cast<uint32_t>(cmd.invoice_no - 1);
  Invoice& invoice = s.invoices[inv];
  if (invoice.open == 0)
    return fail(x.out, ErrorCode::INVALID_STATE, "the invoice has nothing open to write off");
  const Money amount = invoice.open;
  Customer& c = s.customers[invoice.customer];
  c.receivables -= amount;
  invoice.open = 0;
  remove_open_invoice(s, inv);
  add_ledger(s, invoice.customer, EntryKind::write_off, cmd.invoice_no, kNone, -amount);
  DailyAgg& day = s.daily_at(s.today());
  day.write_offs += 1;
  day.written_off = sat_add(day.written_off, amount);
  ladder_check(s, invoice.customer);
  WriteOffView& v = x.out.emplace<WriteOffView>();
  v.invoice_no = cmd.invoice_no;
  v.customer = Key::of(s.customer_ids.view(invoice.customer));
  v.amount = amount;
  return true;
}

// ---- time and admin -------------------------------------------------------------------------

void expire(State& s, uint32_t idx, TimeMs now) {
  close_open_order(s, idx, OrderStatus::expired);
  add_event(s, idx, EventKind::expired, nullptr, now, 0, 0, {});
}

// tick
bool handle(Ctx& x, const Tick&) {
  State& s = x.s;
  TickView& v = x.out.emplace<TickView>();
  v = TickView{};
  v.now = x.now;
  const TimeMs hold_ms = static_cast<TimeMs>(s.policy.hold_ttl_hours) * kMsPerHour;
  while (s.held_list.head != kNone && s.orders[s.held_list.head].at + hold_ms <= x.now) {
    expire(s, s.held_list.head, x.now);
    ++v.held_expired;
  }
  const TimeMs ttl_ms = static_cast<TimeMs>(s.policy.order_ttl_days) * kMsPerDay;
  while (s.accepted_list.head != kNone &&
         s.orders[s.accepted_list.head].accepted_at + ttl_ms <= x.now) {
    expire(s, s.accepted_list.head, x.now);
    ++v.accepted_expired;
  }
  if (s.today() != s.ladder_day) {  // days past due only change when the date does
    s.ladder_day = s.today();
    for (uint32_t c = 0; c < s.customers.size(); ++c) {
      if (!s.customers[c].exists) continue;
      const int change = ladder_check(s, c);
      v.customers_suspended += change > 0;
      v.customers_reactivated += change < 0;
    }
  }
  return true;
}

// set_policy
bool handle(Ctx& x, const SetPolicy& cmd) {
  const Policy& p = cmd.policy;
  std::string field, message;
  if (!policy_valid(p, &field, &message))
    return fail(x.out, ErrorCode::BAD_REQUEST, std::move(message), std::move(field));
  x.s.policy = p;
  x.s.ladder_day = INT32_MIN;  // thresholds changed: the next tick re-runs the ladder
  x.out.emplace<PolicyView>().policy = p;
  return true;
}

}  // namespace

namespace internal {

bool policy_valid(const Policy& p, std::string* field, std::string* message) {
  auto bad = [&](const char* f, std::string m) {
    *field = f;
    *message = std::move(m);
    return false;
  };
  for (int l = 0; l <= kMaxLevel; ++l) {
    if (p.approve_total_max_minor[l] < 0 ||
        (l > 0 && p.approve_total_max_minor[l] < p.approve_total_max_minor[l - 1]))
      return bad("approve_total_max_minor",
                 "approve_total_max_minor must be non-negative and not decrease with the level");
    if (!kBasisPointsRange.contains(p.discount_max_bp[l]) ||
        (l > 0 && p.discount_max_bp[l] < p.discount_max_bp[l - 1]))
      return bad("discount_max_bp", "discount_max_bp must be " +
                                        limits::range_text(kBasisPointsRange) +
                                        " and not decrease with the level");
  }
  // Each duration against its range, named once (engine/limits.h).
  const struct {
    const char* name;
    int32_t value;
    Range range;
  } durations[] = {{"hold_ttl_hours", p.hold_ttl_hours, kHoldTtlHoursRange},
                   {"order_ttl_days", p.order_ttl_days, kOrderTtlDaysRange},
                   {"overdue_hold_days", p.overdue_hold_days, kOverdueHoldDaysRange},
                   {"suspend_after_days", p.suspend_after_days, kSuspendAfterDaysRange}};
  for (const auto& d : durations)
    if (!d.range.contains(d.value))
      return bad(d.name, std::string(d.name) + " must be " + limits::range_text(d.range));
  return true;
}

}  // namespace internal

// ---- Engine ---------------------------------------------------------------------------------

Engine::Engine() : s_(std::make_unique<State>()) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

void Engine::apply(const Command& cmd, Result& out) {
  out.error.code = ErrorCode::OK;
  out.error.message.clear();
  out.error.field.clear();
  State& s = *s_;
  // Checked first: every rule below may add durations to the time.
  if (!time_in_range(cmd.at)) {
    fail(out, ErrorCode::BAD_REQUEST, "at must be a time from 0000-01-01 to 9999-12-31", "at");
    return;
  }
  if (std::holds_alternative<Tick>(cmd.body) && cmd.at < s.now) {
    fail(out, ErrorCode::INVALID_STATE,
         "time may not go backwards (now is " + format_time(s.now) + ")", "now");
    return;
  }
  // Authority for the op as such (role, the op's own level); handlers ask again where the
  // answer depends on the order (engine/authority.h).
  if (!authorize(op_id_of(cmd.body), cmd.by, AuthFacts{}, out.error)) return;
  const TimeMs before = s.now;
  s.now = std::max(s.now, cmd.at);  // handlers see the new time; undone on failure
  Ctx x{s, cmd.by, s.now, out};
  // One handler per CommandBody alternative, by overload: a body without a handler does not
  // compile (engine/ops.h declares the op, this is its handler).
  const bool ok = std::visit([&](const auto& body) -> bool { return handle(x, body); }, cmd.body);
  if (!ok) {
    s.now = before;
    return;
  }
  s.last_seq = std::max(s.last_seq, cmd.seq);
  ++s.commands_applied;
}

void Engine::reserve(uint64_t orders) {
  State& s = *s_;
  s.orders.reserve(s.orders.size() + orders);
  s.lines.reserve(s.lines.size() + 3 * orders);
  s.events.reserve(s.events.size() + orders);
  s.client_order_to_order.reserve(s.client_order_to_order.size() + orders);
  s.client_order_ids.reserve(s.client_order_ids.size() + orders, 20 * orders);
}

const Policy& Engine::policy() const {
  return s_->policy;
}
TimeMs Engine::now() const {
  return s_->now;
}

EngineCounts Engine::counts() const {
  EngineCounts c;
  for (const Customer& cust : s_->customers) c.customers += cust.exists;
  for (const Product& p : s_->products) c.products += p.exists;
  c.orders = s_->orders.size();
  c.invoices = s_->invoices.size();
  c.payments = s_->payments.size();
  c.commands_applied = s_->commands_applied;
  c.last_seq = s_->last_seq;
  c.now = s_->now;
  return c;
}

}  // namespace credo

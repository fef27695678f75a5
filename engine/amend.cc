// amend_order: a new version of a held or accepted order (合同變更, docs/rules.md "Amending an
// order"). The new version is decided again by decide() as if submitted now, with the old
// version's reservation and exposure counted as released; it is taken (accepted or held, stock
// and exposure moved by the difference) or, if it would be rejected, the order stays as it was.
// Every amendment, taken or not, is kept (State::amendments) and shown by get_order.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "engine/authority.h"
#include "engine/handlers.h"

namespace credo::internal {

namespace {

// The interned key of (order, amendment_id), written into `buf` (4 + Key::kMaxLen bytes).
std::string_view amendment_key(uint32_t order, const Key& id, char* buf) {
  std::memcpy(buf, &order, 4);
  std::memcpy(buf + 4, id.data, id.len);
  return {buf, 4u + id.len};
}

// Where the units that already shipped go in the new version: for each line of the new
// version, the shipped and returned units it carries.
struct Carried {
  Qty shipped = 0;
  Qty returned = 0;
};

// Spreads the old version's shipped (and returned) units over the new version's lines of the
// same sku, in line order, each new line taking at most its quantity. A line that carries units
// keeps the price they shipped at (their invoice is issued). INVALID_STATE, naming the line, if
// the new lines of a sku hold fewer units than shipped or change the price of shipped units.
bool carry_shipped(const State& s, const Order& o, const OrderRequest& req, const Decision& d,
                   std::vector<Carried>& carried, Result& out) {
  carried.assign(req.lines.size(), Carried{});
  for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l) {
    const OrderLine& old = s.lines[l];
    Qty shipped = old.shipped, returned = old.returned;
    int last_line = -1;  // the last new line of this sku, to blame
    for (std::size_t i = 0; i < req.lines.size() && shipped > 0; ++i) {
      if (d.lines[i].product != old.product) continue;
      last_line = static_cast<int>(i);
      const Qty q = std::min(shipped, req.lines[i].qty - carried[i].shipped);
      if (q == 0) continue;
      if (d.lines[i].unit_price != old.unit_price)
        return fail(out, ErrorCode::INVALID_STATE,
                    "units of sku '" + std::string(req.lines[i].sku.view()) + "' shipped at " +
                        std::to_string(old.unit_price) + "; a line that keeps them keeps that price",
                    line_field(i, "unit_price"));
      const Qty r = std::min(returned, q);
      carried[i].shipped += q;
      carried[i].returned += r;
      shipped -= q;
      returned -= r;
    }
    if (shipped > 0)
      return fail(out, ErrorCode::INVALID_STATE,
                  std::to_string(old.shipped) + " units of sku '" +
                      std::string(s.skus.view(old.product)) +
                      "' have shipped: the amended lines may not hold fewer",
                  last_line < 0 ? std::string("lines") : line_field(last_line, "qty"));
  }
  return true;
}

// The new version asked for: the amendment's fields over the order's current ones. A line
// without a unit_price keeps the price of the order's line of the same sku (the first one),
// or, for a sku new to the order, the list price.
void new_version(const State& s, const Order& o, const AmendOrder& cmd, OrderRequest& req) {
  req.customer = Key::of(s.customer_ids.view(o.customer));
  req.client_order_id = Key{};
  req.payment = o.payment;
  req.deposit_pct = std::nullopt;
  req.ship_by = cmd.ship_by ? cmd.ship_by
                : o.ship_by == kNoDay ? std::nullopt
                                      : std::optional<Day>(o.ship_by);
  req.ref.assign(cmd.ref ? std::string_view(*cmd.ref) : s.text_of(o.ref));
  req.lines.clear();
  if (cmd.lines.empty()) {
    for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l)
      req.lines.push_back(LineRequest{Key::of(s.skus.view(s.lines[l].product)), s.lines[l].qty,
                                      s.lines[l].unit_price});
    return;
  }
  for (const LineRequest& lr : cmd.lines) {
    LineRequest& line = req.lines.emplace_back(lr);
    if (line.unit_price || !Key::valid(lr.sku.view())) continue;
    const uint32_t p = s.skus.find(lr.sku.view());
    for (uint32_t l = o.first_line; l < o.first_line + o.line_count && p != kNone; ++l)
      if (s.lines[l].product == p) {
        line.unit_price = s.lines[l].unit_price;
        break;
      }
  }
}

void fill_amend_view(const State& s, uint32_t a, bool duplicate, AmendView& v) {
  const Amendment& rec = s.amendments[a];
  v.amendment_id = Key::of(s.amendment_keys.view(a).substr(4));
  v.amended = rec.taken;
  v.duplicate = duplicate;
  v.decision = rec.decision;
  v.reasons.clear();
  for (uint32_t r = rec.first_reason; r < rec.first_reason + rec.reason_count; ++r)
    v.reasons.push_back(s.reasons[r]);
  v.total = rec.new_total;
  v.version = rec.version;
  fill_order_view(s, rec.order, false, v.order);
}

}  // namespace

// amend_order
bool handle(Ctx& x, const AmendOrder& cmd) {
  State& s = x.s;
  uint32_t idx = 0;
  if (!key_ok(cmd.amendment_id, "amendment_id", x.out) ||
      (cmd.ref && !text_ok(*cmd.ref, "ref", x.out)) ||
      !order_or_fail(s, cmd.order_no, &idx, x.out))
    return false;
  {
    const Order& o = s.orders[idx];
    AuthFacts facts;
    facts.order_known = true;
    facts.own_order = s.principals.find(x.by.name.view()) == o.submitted_by;
    if (!authorize(op_id<AmendOrder>(), x.by, facts, x.out.error)) return false;
  }
  char key_buf[4 + Key::kMaxLen];
  const std::string_view key = amendment_key(idx, cmd.amendment_id, key_buf);
  if (const uint32_t earlier = s.amendment_keys.find(key); earlier != kNone) {
    fill_amend_view(s, earlier, true, x.out.emplace<AmendView>());
    return true;
  }
  const OrderStatus status = s.orders[idx].status;
  if (status != OrderStatus::held && status != OrderStatus::accepted)
    return fail(x.out, ErrorCode::INVALID_STATE,
                std::string("order is ") + to_string(status) + ": only held or accepted orders " +
                    "can be amended");
  // A deposit was asked for the order as it was: a new version would need a new deposit.
  if (s.orders[idx].payment == PaymentTerms::deposit)
    return fail(x.out, ErrorCode::INVALID_STATE,
                "a deposit order cannot be amended: cancel it and submit the new version");
  if (cmd.lines.empty() && !cmd.ship_by && !cmd.ref)
    return fail(x.out, ErrorCode::BAD_REQUEST, "an amendment changes lines, ship_by or ref",
                "lines");

  static thread_local OrderRequest req;
  static thread_local Decision d;
  static thread_local std::vector<Carried> carried;
  new_version(s, s.orders[idx], cmd, req);
  if (!decide(s, req, x.by, x.now, d, x.out, {}, idx)) return false;
  if (!carry_shipped(s, s.orders[idx], req, d, carried, x.out)) return false;

  // Validated: from here on the state changes. The new version's lines and reasons are stored
  // whether or not it is taken (the history shows what was asked).
  Amendment a;
  a.order = idx;
  a.principal = s.principals.intern(x.by.name.view());
  a.at = x.now;
  a.taken = d.status != OrderStatus::rejected;
  a.decision = d.status;
  {
    const Order& o = s.orders[idx];
    a.version = (o.last_amendment == kNone ? 1 : s.amendments[o.last_amendment].version) + a.taken;
    a.old_first_line = o.first_line;
    a.old_line_count = o.line_count;
    a.old_total = o.total;
    a.old_ship_by = o.ship_by;
    a.old_ref = o.ref;
    a.prev = o.last_amendment;
  }
  a.new_first_line = static_cast<uint32_t>(s.lines.size());
  a.new_line_count = static_cast<uint32_t>(req.lines.size());
  for (std::size_t i = 0; i < req.lines.size(); ++i) {
    const LineCalc& lc = d.lines[i];
    OrderLine line;
    line.product = lc.product != kNone ? lc.product : intern_product(s, req.lines[i].sku);
    line.qty = line_qty(req.lines[i].qty);
    line.unit_price = lc.unit_price;
    line.discount_bp = lc.discount_bp;
    line.amount = lc.amount;
    line.price_source = lc.source;
    line.shipped = line_qty(carried[i].shipped);
    line.returned = line_qty(carried[i].returned);
    s.lines.push_back(line);
  }
  a.first_reason = static_cast<uint32_t>(s.reasons.size());
  a.reason_count = static_cast<uint32_t>(d.reasons.size());
  s.reasons.append(d.reasons.begin(), d.reasons.end());
  a.new_total = d.total;
  a.new_ship_by = req.ship_by.value_or(kNoDay);
  a.new_ref = cmd.ref ? s.add_text(*cmd.ref) : a.old_ref;
  const uint32_t id = s.amendment_keys.intern(key);
  CREDO_ASSERT(id == s.amendments.size(), "an amendment's key id is its index");
  s.amendments.push_back(a);
  s.orders[idx].last_amendment = id;

  if (a.taken) {
    // The order gives back what its old version held and takes what the new one needs; it
    // joins the tail of its (new) list with a fresh expiry clock, as an order decided now.
    release_holdings(s, idx);
    Order& o = s.orders[idx];
    DailyAgg& day = s.daily_at(o.day);
    const int st = static_cast<int>(o.status);
    day.value_by_status[st] = sat_add(day.value_by_status[st], d.total - o.total);
    o.total = d.total;
    o.first_line = a.new_first_line;
    o.line_count = a.new_line_count;
    o.first_reason = a.first_reason;
    o.reason_count = a.reason_count;
    o.ship_by = a.new_ship_by;
    o.ref = a.new_ref;
    // The new version is decided again: approvals of the old version's reasons do not carry
    // over (engine/approvals.cc starts counting after this event).
    add_event(s, idx, EventKind::amended, &x.by, x.now, a.version, d.total, "");
    list_remove(s, idx);
    set_status(s, idx, d.status);
    take_holdings(s, idx);
    bool all_shipped = true;
    for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l)
      all_shipped &= s.lines[l].shipped == s.lines[l].qty;
    if (all_shipped) {
      set_status(s, idx, OrderStatus::shipped);  // cut down to what shipped: nothing left open
    } else {
      o.accepted_at = x.now;
      list_push(s, d.status == OrderStatus::held ? OpenList::held : OpenList::accepted, idx);
    }
    if (o.payment == PaymentTerms::prepaid) {
      apply_unapplied(s, o.customer, nullptr);  // a smaller prepaid order may settle invoices
      ladder_check(s, o.customer);
    }
  }
  fill_amend_view(s, id, false, x.out.emplace<AmendView>());
  return true;
}

void fill_amendments(const State& s, uint32_t idx, OrderView& v) {
  v.amendments.clear();
  for (uint32_t a = s.orders[idx].last_amendment; a != kNone; a = s.amendments[a].prev) {
    const Amendment& rec = s.amendments[a];
    AmendmentView& av = v.amendments.emplace_back();
    av.amendment_id = Key::of(s.amendment_keys.view(a).substr(4));
    av.by = Key::of(s.principals.view(rec.principal));
    av.at = rec.at;
    av.amended = rec.taken;
    av.decision = rec.decision;
    av.version = rec.version;
    for (uint32_t r = rec.first_reason; r < rec.first_reason + rec.reason_count; ++r)
      av.reasons.push_back(s.reasons[r]);
    auto lines = [&](uint32_t first, uint32_t count, LineViews& out) {
      for (uint32_t l = first; l < first + count; ++l) {
        const OrderLine& line = s.lines[l];
        out.push_back({Key::of(s.skus.view(line.product)), line.qty, line.unit_price,
                       line.discount_bp, line.amount, line.shipped, line.returned,
                       line.price_source});
      }
    };
    lines(rec.old_first_line, rec.old_line_count, av.old_lines);
    lines(rec.new_first_line, rec.new_line_count, av.new_lines);
    auto day = [](Day d) { return d == kNoDay ? std::nullopt : std::optional<Day>(d); };
    av.old_ship_by = day(rec.old_ship_by);
    av.new_ship_by = day(rec.new_ship_by);
    av.old_ref.assign(s.text_of(rec.old_ref));
    av.new_ref.assign(s.text_of(rec.new_ref));
    av.old_total = rec.old_total;
    av.new_total = rec.new_total;
  }
  std::reverse(v.amendments.begin(), v.amendments.end());
}

}  // namespace credo::internal

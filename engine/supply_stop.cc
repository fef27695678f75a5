// Supply stops (docs/rules.md "Shipping to a stopped customer"): ship re-checks the customer,
// because a customer may be blocked, put on hold or fall overdue after the order was accepted
// (一律不再發貨, 004 9-06 §7; 暫停對此客戶供貨, 9-05 §7; 限制發貨, 002). release_shipment
// lets one shipment through: a `shipping_released` event, used by the next `shipped` one.
#include <optional>
#include <string>

#include "engine/authority.h"
#include "engine/handlers.h"

namespace credo::internal {
namespace {

// Why supply to the order's customer is stopped now, if it is. Prepaid orders are never stopped:
// the money is in.
std::optional<Reason> supply_stop(const State& s, const Order& o) {
  if (o.payment == PaymentTerms::prepaid) return std::nullopt;
  const Customer& c = s.customers[o.customer];
  if (c.status == CustomerStatus::blocked) return Reason::CUSTOMER_BLOCKED;
  if (c.status == CustomerStatus::on_hold) return Reason::CUSTOMER_ON_HOLD;
  if (!c.open_invoices.empty() &&
      s.today() - s.invoices[c.open_invoices.front()].due > s.policy.overdue_hold_days)
    return Reason::OVERDUE;
  return std::nullopt;
}

const char* stop_text(Reason r) {
  switch (r) {
    case Reason::CUSTOMER_BLOCKED:
      return "the customer is blocked";
    case Reason::CUSTOMER_ON_HOLD:
      return "the customer is on hold";
    default:
      return "the customer has an invoice overdue";
  }
}

}  // namespace

bool shipping_release_waiting(const State& s, const Order& o) {
  bool waiting = false;
  for (uint32_t e = o.first_event; e != kNone; e = s.events[e].next) {
    if (s.events[e].kind == EventKind::shipping_released) waiting = true;
    if (s.events[e].kind == EventKind::shipped) waiting = false;
  }
  return waiting;
}

bool supply_open(const State& s, const Order& o, Result& out) {
  const std::optional<Reason> stop = supply_stop(s, o);
  if (!stop || shipping_release_waiting(s, o)) return true;
  fail(out, ErrorCode::INVALID_STATE,
       std::string("supply is stopped: ") + stop_text(*stop) +
           "; a credit principal of level 2 or more may release this shipment "
           "(release_shipment)");
  out.error.reason = to_string(*stop);
  return false;
}

// release_shipment
bool handle(Ctx& x, const ReleaseShipment& cmd) {
  uint32_t idx = 0;
  if (!text_ok(cmd.note, "note", x.out) || !order_or_fail(x.s, cmd.order_no, &idx, x.out))
    return false;
  const Order& o = x.s.orders[idx];
  AuthFacts facts;
  facts.order_known = true;
  facts.four_eyes = true;
  facts.own_order = x.s.principals.find(x.by.name.view()) == o.submitted_by;
  if (!authorize(op_id<ReleaseShipment>(), x.by, facts, x.out.error)) return false;
  if (o.status != OrderStatus::accepted)
    return fail(x.out, ErrorCode::INVALID_STATE,
                std::string("only accepted orders ship; order is ") + to_string(o.status));
  if (!supply_stop(x.s, o))
    return fail(x.out, ErrorCode::INVALID_STATE,
                "supply to this customer is not stopped: the order ships without a release");
  if (shipping_release_waiting(x.s, o))
    return fail(x.out, ErrorCode::INVALID_STATE,
                "the order already has a shipping release waiting for its next shipment");
  add_event(x.s, idx, EventKind::shipping_released, &x.by, x.now, 0, 0, cmd.note);
  fill_order_view(x.s, idx, true, x.out.emplace<OrderView>());
  return true;
}

}  // namespace credo::internal

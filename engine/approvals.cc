// Approving a held order (docs/rules.md "Who approves what"): approve_order approves some of its
// reasons, release_order all that are left; each reason by its own function (approver_role) at
// its required level, never by the order's submitter. An approval is an `approved` event of the
// order (who, when, level, note; number = the reason's place), so it is journaled, kept in
// snapshots and shown in the history without state of its own.
#include <string>
#include <vector>

#include "engine/authority.h"
#include "engine/handlers.h"

namespace credo::internal {

void approved_reasons(const State& s, const Order& o, std::vector<uint8_t>& approved) {
  approved.assign(o.reason_count, 0);
  for (uint32_t e = o.first_event; e != kNone; e = s.events[e].next) {
    const EventRec& rec = s.events[e];
    if (rec.kind == EventKind::amended) approved.assign(o.reason_count, 0);
    if (rec.kind == EventKind::approved && rec.number < o.reason_count) approved[rec.number] = 1;
  }
}

void fill_approvals(const State& s, const Order& o, OrderView& v) {
  v.approvals.clear();
  v.open_reasons.clear();
  v.shipping_release = shipping_release_waiting(s, o);
  std::vector<uint8_t> approved(o.reason_count, 0);
  for (uint32_t e = o.first_event; e != kNone; e = s.events[e].next) {
    const EventRec& rec = s.events[e];
    if (rec.kind == EventKind::amended) {  // a new version: its reasons start unapproved
      approved.assign(o.reason_count, 0);
      v.approvals.clear();
    }
    if (rec.kind != EventKind::approved || rec.number >= o.reason_count) continue;
    approved[rec.number] = 1;
    const ReasonRec& r = s.reasons[o.first_reason + rec.number];
    v.approvals.push_back({r.code, r.line, Key::of(s.principals.view(rec.principal)), rec.at,
                           static_cast<int32_t>(rec.amount), std::string(s.text_of(rec.text))});
  }
  if (o.status != OrderStatus::held) return;  // what was not approved no longer needs to be
  for (uint32_t i = 0; i < o.reason_count; ++i)
    if (!approved[i]) v.open_reasons.push_back(s.reasons[o.first_reason + i]);
}

namespace {

std::vector<uint8_t>& scratch_approved() {
  static thread_local std::vector<uint8_t> approved;  // reused: no allocation in steady state
  return approved;
}

// The facts authorize() needs about a held order's reason `i`.
AuthFacts reason_facts(const State& s, const Order& o, uint32_t i) {
  AuthFacts facts;
  facts.reason = s.reasons[o.first_reason + i].code;
  facts.required_level = s.reasons[o.first_reason + i].required_level;
  return facts;
}

// The checks both ops make before looking at reasons: a held order, not the caller's own.
bool held_order_to_approve(Ctx& x, OpId op, OrderNo order_no, const std::string& note,
                           uint32_t* idx) {
  if (!text_ok(note, "note", x.out) || !order_or_fail(x.s, order_no, idx, x.out)) return false;
  const Order& o = x.s.orders[*idx];
  AuthFacts facts;
  facts.order_known = true;
  facts.four_eyes = true;
  facts.own_order = x.s.principals.find(x.by.name.view()) == o.submitted_by;
  if (!authorize(op, x.by, facts, x.out.error)) return false;
  if (o.status != OrderStatus::held)
    return fail(x.out, ErrorCode::INVALID_STATE,
                std::string("only held orders can be approved; order is ") + to_string(o.status));
  return true;
}

// Records the approval of every reason marked in `take`; accepts the order when no reason is
// left open. Answers the order.
void approve(Ctx& x, uint32_t idx, const std::vector<uint8_t>& approved,
             const std::vector<uint8_t>& take, const std::string& note) {
  State& s = x.s;
  bool all = true;
  for (uint32_t i = 0; i < s.orders[idx].reason_count; ++i) {
    if (take[i])
      add_event(s, idx, EventKind::approved, &x.by, x.now, i, x.by.level, note);
    all &= approved[i] || take[i];
  }
  if (all) {
    Order& o = s.orders[idx];
    if (const Money v = credit_value(o); v != 0) {
      Customer& c = s.customers[o.customer];
      CREDO_ASSERT(c.held >= v, "a held order's credit value is counted in held");
      c.held -= v;
      c.open_orders += v;
    }
    list_remove(s, idx);
    set_status(s, idx, OrderStatus::accepted);
    o.accepted_at = x.now;
    list_push(s, OpenList::accepted, idx);
    add_event(s, idx, EventKind::released, &x.by, x.now, 0, 0, note);
  }
  OrderView& v = x.out.emplace<OrderView>();
  fill_order_view(s, idx, false, v);
}

}  // namespace

// release_order: every reason still open, at once; FORBIDDEN unless the caller may approve
// each of them.
bool handle(Ctx& x, const ReleaseOrder& cmd) {
  uint32_t idx = 0;
  if (!held_order_to_approve(x, op_id<ReleaseOrder>(), cmd.order_no, cmd.note, &idx))
    return false;
  const Order& o = x.s.orders[idx];
  std::vector<uint8_t>& approved = scratch_approved();
  approved_reasons(x.s, o, approved);
  std::vector<uint8_t> take(o.reason_count, 0);
  for (uint32_t i = 0; i < o.reason_count; ++i) {
    if (approved[i]) continue;
    if (!authorize(op_id<ReleaseOrder>(), x.by, reason_facts(x.s, o, i), x.out.error))
      return false;
    take[i] = 1;
  }
  approve(x, idx, approved, take, cmd.note);
  return true;
}

// approve_order: the open reasons named in `reasons` (each must be open and the caller's to
// approve), or, without `reasons`, every open reason the caller may approve (at least one).
bool handle(Ctx& x, const ApproveOrder& cmd) {
  uint32_t idx = 0;
  if (!held_order_to_approve(x, op_id<ApproveOrder>(), cmd.order_no, cmd.note, &idx))
    return false;
  const Order& o = x.s.orders[idx];
  std::vector<uint8_t>& approved = scratch_approved();
  approved_reasons(x.s, o, approved);
  std::vector<uint8_t> take(o.reason_count, 0);
  if (cmd.reasons) {
    if (*cmd.reasons == 0 || (*cmd.reasons >> kReasonCount) != 0)
      return fail(x.out, ErrorCode::BAD_REQUEST, "reasons must name at least one reason code",
                  "reasons");
    ReasonSet open = 0;
    for (uint32_t i = 0; i < o.reason_count; ++i)
      if (!approved[i]) open |= reason_bit(x.s.reasons[o.first_reason + i].code);
    for (int r = 0; r < kReasonCount; ++r)
      if ((*cmd.reasons & reason_bit(static_cast<Reason>(r))) &&
          !(open & reason_bit(static_cast<Reason>(r))))
        return fail(x.out, ErrorCode::BAD_REQUEST,
                    std::string(to_string(static_cast<Reason>(r))) +
                        " is not an open reason of this order",
                    "reasons");
    for (uint32_t i = 0; i < o.reason_count; ++i) {
      if (approved[i] || !(*cmd.reasons & reason_bit(x.s.reasons[o.first_reason + i].code)))
        continue;
      if (!authorize(op_id<ApproveOrder>(), x.by, reason_facts(x.s, o, i), x.out.error))
        return false;
      take[i] = 1;
    }
  } else {
    // Every open reason the caller may approve; if there is none, the first refusal says why.
    Error first_refusal;
    bool any = false;
    for (uint32_t i = 0; i < o.reason_count; ++i) {
      if (approved[i]) continue;
      Error err;
      if (authorize(op_id<ApproveOrder>(), x.by, reason_facts(x.s, o, i), err)) {
        take[i] = 1;
        any = true;
      } else if (first_refusal.code == ErrorCode::OK) {
        first_refusal = std::move(err);
      }
    }
    if (!any) {
      x.out.error = std::move(first_refusal);
      return false;
    }
  }
  approve(x, idx, approved, take, cmd.note);
  return true;
}

}  // namespace credo::internal

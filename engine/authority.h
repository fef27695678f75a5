// Authority: the one place that decides whether a principal may perform an op.
//
// The rule for each op is data in engine/ops.h (access, role, min_level); this function reads
// it. Rules that depend on the object an op acts on (the order's submitter, the held order's
// reasons) come in as AuthFacts, so they are decided here too rather than in the handlers.
//
// Who asks:
//   Engine::apply / Engine::query  for every command and query, before the handler runs
//                                  (facts empty: role and the op's own level).
//   cancel_order's handler         again once the order is known (facts.order_known), and
//                                  whether something of it shipped (facts.partly_shipped).
//   approve_order, release_order   again once the order is known (four eyes), and for each
//                                  reason they approve (facts.reason: its role and level).
//   release_shipment               again once the order is known (four eyes).
//   net/session.cc                 for the server's own ops (snapshot, set_clock, state_hash).
// Authentication (has the connection said hello?) is the session's state and stays there.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/command.h"
#include "engine/ops.h"
#include "engine/result.h"

namespace credo {

struct AuthFacts {
  // Access::own_order: whether the order is known yet (before it is, only the role is
  // checked), and whether `by` submitted it.
  bool order_known = false;
  bool own_order = false;
  // The op approves the order (approve_order, release_order, release_shipment): whoever
  // submitted it may not (four eyes, 001b 2.2; 000 二(二)), admin included.
  bool four_eyes = false;
  // cancel_order: something of the order shipped, so cancelling its rest needs level 1 of the
  // order role (001c B; 004 9-03 §11-12).
  bool partly_shipped = false;
  // An approval the op gives for this object (a held order's reason: the role that approves
  // it, approver_role(), and the level it requires, -1 for none).
  std::optional<Reason> reason;
  int32_t required_level = -1;
};

// True iff `by` may perform op `op` (an OpId, engine/ops.h) given `facts`. Otherwise fills `err`
// with FORBIDDEN and a message saying what is missing, and returns false. admin may do every op,
// but not beyond its approval level.
bool authorize(OpId op, const Principal& by, const AuthFacts& facts, Error& err);

}  // namespace credo

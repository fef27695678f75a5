// The seller's delegation of authority and its time limits (PROTOCOL.md "Default policy").
// Part of the engine's state: it is set by a journaled SetPolicy command, so a replay with a
// different config file still reproduces the same decisions.
#pragma once

#include <array>
#include <cstdint>

#include "engine/types.h"

namespace credo {

struct Policy {
  // Largest order total each approval level may approve (index = level). Level 3: no limit.
  std::array<Money, kMaxLevel + 1> approve_total_max_minor = {10'000'000, 50'000'000, 500'000'000,
                                                              kMoneyMax};
  // Largest discount below list price each level may give, in basis points. 10000 means
  // "down to the floor price" (the floor is checked separately and always wins).
  std::array<int32_t, kMaxLevel + 1> discount_max_bp = {0, 300, 1000, 10'000};
  int32_t hold_ttl_hours = 72;      // a held order expires after this long
  int32_t order_ttl_days = 30;      // an accepted order's unshipped rest expires after this
  int32_t overdue_hold_days = 0;    // invoices more than this many days past due hold orders
  int32_t suspend_after_days = 60;  // ... and more than this many days put the customer on hold
  // Write-offs and returns (branch writeoff; journaled since WAL version 2).
  int32_t writeoff_min_days_past_due = 365;  // `uncollectible`: more than a year (9-08 §13.3)
  bool single_approval_write_off = false;    // write_off in one step (else propose + approve)
  Money return_vp_minor = 10'000'000;        // a return worth more needs level 2 (P5 §11)

  friend bool operator==(const Policy&, const Policy&) = default;
};

}  // namespace credo

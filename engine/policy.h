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

  // ---- credit master data (docs/rules.md, "Credit data") ----
  // Highest credit limit each level may grant without a second person's approval (003 四(二)2,
  // 001 §2.2); a raise above it is a proposal. Level 3: no limit.
  std::array<Money, kMaxLevel + 1> credit_limit_max_minor = {0, 10'000'000, 100'000'000, kMoneyMax};
  // Days between credit reviews, per grade (004 P5 9-02 §9: A half-yearly, B quarterly, C and D
  // monthly; 001 §2.2: at least once a year, hence the range's 366).
  int32_t review_cycle_days_a = 182;
  int32_t review_cycle_days_b = 91;
  int32_t review_cycle_days_c = 30;
  int32_t review_cycle_days_d = 30;
  int32_t review_grace_days = 30;  // more than this many days past review_due holds credit orders

  friend bool operator==(const Policy&, const Policy&) = default;
};

}  // namespace credo

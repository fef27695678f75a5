// The seller's delegation of authority and its time limits (PROTOCOL.md "Default policy").
// Part of the engine's state: it is set by a journaled SetPolicy command, so a replay with a
// different config file still reproduces the same decisions.
#pragma once

#include <array>
#include <cstdint>

#include "engine/types.h"

namespace credo {

// The approval level each hold reason needs by default (docs/rules.md "Who approves what"),
// indexed by Reason; -1: the reason has no configured level (it rejects the order, or its level
// is computed: PRICE_APPROVAL from discount_max_bp, AMOUNT_APPROVAL from
// approve_total_max_minor). A new hold reason adds one line here.
constexpr std::array<int8_t, kReasonCount> kDefaultReasonLevels = [] {
  std::array<int8_t, kReasonCount> levels{};
  levels.fill(-1);
  auto at = [&](Reason r) -> int8_t& { return levels[static_cast<std::size_t>(r)]; };
  at(Reason::CUSTOMER_ON_HOLD) = 2;  // supply suspended: the VP (004 9-05 §7)
  at(Reason::CREDIT_GRADE) = 3;      // grade D gets no credit: only the GM (004 9-02 §5.4)
  at(Reason::CREDIT_LIMIT) = 1;      // over the limit: the sales manager (004 9-02 §6)
  at(Reason::OVERDUE) = 2;           // prior credit unpaid: the VP (004 9-06 §7)
  at(Reason::ORDER_CREDIT_CAP) = 2;  // above the grade's order credit cap: the VP (004 9-02 §5)
  return levels;
}();
// Whether a reason's level comes from Policy::reason_levels.
constexpr bool has_configured_level(Reason r) {
  return kDefaultReasonLevels[static_cast<std::size_t>(r)] >= 0;
}

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
  // ---- since WAL version 2 (branch auth: who may release what) ----
  // The level each hold reason needs to be approved (kDefaultReasonLevels says which reasons
  // have one); CREDIT_LIMIT needs at least level 2 (the VP) when the order takes the customer
  // more than credit_limit_vp_pct % of the limit over it (004 9-02 §6).
  std::array<int8_t, kReasonCount> reason_levels = kDefaultReasonLevels;
  int32_t credit_limit_vp_pct = 20;
  // Whether the keys file may give one principal both order and credit (or credit and
  // finance) roles. The server checks it at start; four eyes per order holds regardless.
  bool allow_combined_roles = false;
  // An open invoice more than this many days past due is doubtful (準呆賬, 004 9-08 §3): its
  // collection stage in open_items. Since WAL version 2.
  int32_t doubtful_after_days = 90;

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
  // Write-offs and returns (branch writeoff; journaled since WAL version 2).
  int32_t writeoff_min_days_past_due = 365;  // `uncollectible`: more than a year (9-08 §13.3)
  bool single_approval_write_off = false;    // write_off in one step (else propose + approve)
  Money return_vp_minor = 10'000'000;        // a return worth more needs level 2 (P5 §11)
  // ---- branch rules (WAL field version 3, image version 5): credit by grade, deposits ----
  // The largest credit part of one order, per grade (004 9-02 §5: A some credit, B and C a
  // small amount, D none); above it the order is held ORDER_CREDIT_CAP. kMoneyMax: no cap.
  Money max_order_credit_minor_a = kMoneyMax;
  Money max_order_credit_minor_b = kMoneyMax;
  Money max_order_credit_minor_c = 5'000'000;
  Money max_order_credit_minor_d = 0;
  // A deposit order's default deposit_pct, per grade (000 成交要收取定金), and the days its
  // deposit has to be paid in before the order expires (004 P10 二: 保留時間定為7日).
  int32_t deposit_pct_a = 10;
  int32_t deposit_pct_b = 20;
  int32_t deposit_pct_c = 30;
  int32_t deposit_pct_d = 50;
  int32_t deposit_ttl_days = 7;
  // ---- retention (WAL field version 4, image version 6; engine/archive.cc) ----
  // A closed order (rejected, expired, cancelled, shipped) whose last event is this many days
  // old, and that has no return under way, is archived by `tick`: its lines, reasons and events
  // leave memory, its header stays. 0 keeps every order's detail. The member's default is 0 so
  // that journals and images from before the field replay exactly as they were answered;
  // credo-server journals its --order-retention-days (default 90) at start.
  int32_t order_retention_days = 0;

  friend bool operator==(const Policy&, const Policy&) = default;
};

}  // namespace credo

// Business time and the policy it is judged by: tick (held and accepted orders expire, the
// overdue ladder runs once a day), set_policy and the policy check shared with loading.
#include <string>

#include "engine/handlers.h"

namespace credo::internal {

namespace {

void expire(State& s, uint32_t idx, TimeMs now) {
  close_open_order(s, idx, OrderStatus::expired);
  add_event(s, idx, EventKind::expired, nullptr, now, 0, 0, {});
}

}  // namespace

// tick
bool handle(Ctx& x, const Tick&) {
  State& s = x.s;
  TickView& v = x.out.emplace<TickView>();
  v = TickView{};
  v.now = x.now;
  const TimeMs hold_ms = static_cast<TimeMs>(s.policy.hold_ttl_hours) * kMsPerHour;
  while (s.held_list.head != kNone && s.orders[s.held_list.head].accepted_at + hold_ms <= x.now) {
    expire(s, s.held_list.head, x.now);
    ++v.held_expired;
  }
  const TimeMs ttl_ms = static_cast<TimeMs>(s.policy.order_ttl_days) * kMsPerDay;
  while (s.accepted_list.head != kNone &&
         s.orders[s.accepted_list.head].accepted_at + ttl_ms <= x.now) {
    expire(s, s.accepted_list.head, x.now);
    ++v.accepted_expired;
  }
  // A deposit not paid in deposit_ttl_days expires its order (004 P10 二, docs/rules.md).
  expire_unpaid_deposits(s, x.now, &v.held_expired, &v.accepted_expired);
  v.orders_archived = archive_orders(s, x.now);  // engine/archive.cc
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
    if (p.credit_limit_max_minor[l] < 0 ||
        (l > 0 && p.credit_limit_max_minor[l] < p.credit_limit_max_minor[l - 1]))
      return bad("credit_limit_max_minor",
                 "credit_limit_max_minor must be non-negative and not decrease with the level");
  }
  // Each duration against its range, named once (engine/limits.h).
  const struct {
    const char* name;
    int32_t value;
    Range range;
  } durations[] = {{"hold_ttl_hours", p.hold_ttl_hours, kHoldTtlHoursRange},
                   {"order_ttl_days", p.order_ttl_days, kOrderTtlDaysRange},
                   {"overdue_hold_days", p.overdue_hold_days, kOverdueHoldDaysRange},
                   {"suspend_after_days", p.suspend_after_days, kSuspendAfterDaysRange},
                   {"doubtful_after_days", p.doubtful_after_days, kDoubtfulAfterDaysRange},
                   {"review_cycle_days_a", p.review_cycle_days_a, kReviewCycleDaysRange},
                   {"review_cycle_days_b", p.review_cycle_days_b, kReviewCycleDaysRange},
                   {"review_cycle_days_c", p.review_cycle_days_c, kReviewCycleDaysRange},
                   {"review_cycle_days_d", p.review_cycle_days_d, kReviewCycleDaysRange},
                   {"review_grace_days", p.review_grace_days, kReviewGraceDaysRange},
                   {"writeoff_min_days_past_due", p.writeoff_min_days_past_due,
                    kWriteOffMinDaysRange},
                   {"deposit_pct_a", p.deposit_pct_a, kDepositPctRange},
                   {"deposit_pct_b", p.deposit_pct_b, kDepositPctRange},
                   {"deposit_pct_c", p.deposit_pct_c, kDepositPctRange},
                   {"deposit_pct_d", p.deposit_pct_d, kDepositPctRange},
                   {"deposit_ttl_days", p.deposit_ttl_days, kDepositTtlDaysRange},
                   {"order_retention_days", p.order_retention_days, kOrderRetentionDaysRange}};
  for (const auto& d : durations)
    if (!d.range.contains(d.value))
      return bad(d.name, std::string(d.name) + " must be " + limits::range_text(d.range));
  for (int r = 0; r < kReasonCount; ++r) {
    // An approval level (-1..3) kept in an int8_t, not a character.
    const int level = p.reason_levels[static_cast<std::size_t>(r)];  // NOLINT(bugprone-signed-char-misuse)
    const bool configured = has_configured_level(static_cast<Reason>(r));
    if (configured ? !kLevelRange.contains(level) : level != -1)
      return bad("reason_levels",
                 std::string("reason_levels: ") + to_string(static_cast<Reason>(r)) +
                     (configured ? " must be an approval level " + limits::range_text(kLevelRange)
                                 : " has no configured level (it rejects, or its level is "
                                   "computed)"));
  }
  if (!kCreditLimitVpPctRange.contains(p.credit_limit_vp_pct))
    return bad("credit_limit_vp_pct",
               "credit_limit_vp_pct must be " + limits::range_text(kCreditLimitVpPctRange));
  if (p.return_vp_minor < 0) return bad("return_vp_minor", "return_vp_minor must not be negative");
  const struct {
    const char* name;
    Money value;
  } caps[] = {{"max_order_credit_minor_a", p.max_order_credit_minor_a},
              {"max_order_credit_minor_b", p.max_order_credit_minor_b},
              {"max_order_credit_minor_c", p.max_order_credit_minor_c},
              {"max_order_credit_minor_d", p.max_order_credit_minor_d}};
  for (const auto& c : caps)
    if (!kMoneyRange.contains(c.value))
      return bad(c.name, std::string(c.name) + " must be " + limits::range_text(kMoneyRange));
  return true;
}

}  // namespace credo::internal

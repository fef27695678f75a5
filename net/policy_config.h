// The server's --config file: the seller's policy (docs/protocol.md "Default policy").
//
//   {"approve_total_max_minor": [10000000, 50000000, 500000000, null],
//    "discount_max_bp": [0, 300, 1000, 10000],
//    "hold_ttl_hours": 72, "order_ttl_days": 30,
//    "overdue_hold_days": 0, "suspend_after_days": 60}
//
// Every member is optional (absent: the engine's current value); arrays are indexed by approval
// level 0..3 and null means "no limit". Unknown members are an error, so a typo is not silently
// ignored. The result is applied with a journaled SetPolicy command, so replay reproduces it.
#pragma once

#include <string>

#include "engine/policy.h"

namespace credo::net {

// Reads `path` over `*policy` (which holds the defaults). Returns false with `*error`.
bool load_policy_file(const std::string& path, Policy* policy, std::string* error);

}  // namespace credo::net

// The demo world: a small but realistic distributor of fasteners, cables and tools, with ten
// customers across the credit grades and a few weeks of history. Used by `credo-demo` and by
// `credo-server --demo`, so that a first-time user sees held orders, an overdue customer and
// a prepaid balance without typing any master data.
#pragma once

#include <string_view>
#include <vector>

#include "engine/command.h"
#include "engine/types.h"

namespace credo::demo {

// The commands that build the demo world, in the order they must be applied.
//
// The history is back-dated: the first command is stamped `start` - 45 days and the last one
// (a tick) exactly `start`, so after applying them the engine's clock is at `start` and one
// invoice (customer C1004) is about a month past due. Each command carries its own `at`; a caller
// that journals them must keep these timestamps (re-stamping them with the wall clock would
// collapse the history and nothing would be overdue). `seq` is left 0 for the caller to fill.
//
// REQUIRES: applied in order to a fresh Engine (the shipments name order numbers 100001..,
// which are what a fresh engine assigns). Every command then succeeds.
std::vector<Command> demo_dataset(TimeMs start);

// The principals the dataset and the demo use, one per role (separation of duties).
Principal demo_admin();           // "ops-admin": admin, level 3
Principal demo_rep();             // "sam-rep": order, level 0 (sales rep)
Principal demo_credit_manager();  // "maria-credit": credit, level 1 (sales manager)
Principal demo_warehouse();       // "wes-warehouse": warehouse
Principal demo_finance();         // "fiona-finance": finance, level 2

// A held order can need any approval level from 1 to 3 (the default policy: a discount over 3%
// or a total over 500,000.00 needs level 2; over 10% or 5,000,000.00, level 3), and only a
// credit principal of that level (or the admin) may release it. These two, with the credit
// manager above, give the demo one credit principal per level.
Principal demo_credit_director();  // "dora-director": credit, level 2 (sales director)
Principal demo_credit_chief();     // "carl-cfo": credit, level 3 (chief financial officer)
// Sales management approves price and amount holds (004 P5 §5-6, §9): one order-role principal
// per approval level.
Principal demo_sales_manager();   // "sue-sales-manager": order, level 1
Principal demo_sales_director();  // "sid-sales-director": order, level 2
Principal demo_sales_vp();        // "val-sales-vp": order, level 3

// Identifiers in the dataset that the demo refers to by role in the story.
inline constexpr std::string_view kGoodCustomer = "C1001";     // grade A, large limit
inline constexpr std::string_view kOverdueCustomer = "C1004";  // one invoice past due
inline constexpr std::string_view kSmallCustomer = "C1006";    // grade C, small limit
inline constexpr std::string_view kCashCustomer = "C1007";     // grade D, prepaid balance
inline constexpr std::string_view kNewCustomer = "C1008";      // grade D, no limit yet
inline constexpr std::string_view kOnHoldCustomer = "C1009";   // put on hold by hand
inline constexpr std::string_view kBlockedCustomer = "C1010";  // blocked

}  // namespace credo::demo

// Helpers shared by the engine's .cc files: error values, authority, the order decision and
// the bookkeeping moves that several commands make. Private to the engine.
#pragma once

#include <string>
#include <string_view>

#include "engine/state.h"

namespace credo::internal {

// Sets out.error and returns false, so handlers can `return fail(...)`.
bool fail(Result& out, ErrorCode code, std::string message, std::string field = {});
inline std::string line_field(std::size_t i, const char* name) {
  return "lines[" + std::to_string(i) + "]." + name;
}

// Authority (roles, levels, own orders) is decided in one place: engine/authority.h.

// Saturating add for report counters, which must never wrap but are not worth failing a
// command over.
inline Money sat_add(Money a, Money b) {
  Money r;
  if (!add_overflows(a, b, &r)) return r;
  return b > 0 ? kMoneyMax : INT64_MIN;
}

// True iff SetPolicy would accept `p`; otherwise *field and *message say what is wrong. Also
// checked on every loaded state image (check_invariants), so a policy can only come from here.
bool policy_valid(const Policy& p, std::string* field, std::string* message);

// ---- deciding an order ----------------------------------------------------------------------
struct LineCalc {
  uint32_t product = kNone;  // kNone: unknown sku
  Money unit_price = 0;
  int32_t discount_bp = 0;
  Money amount = 0;
  bool short_of_stock = false;
  Qty available = 0;  // for INSUFFICIENT_STOCK
  bool below_floor = false;
  int8_t price_level = -1;  // PRICE_APPROVAL required level, -1 if none
};
struct Decision {
  uint32_t customer = kNone;  // kNone: unknown (or phantom) customer
  std::vector<LineCalc> lines;
  std::vector<ReasonRec> reasons;
  Money total = 0;
  OrderStatus status = OrderStatus::accepted;
};

// Validates `req` (ids, line count, quantities, prices, text, overflow) and decides it against
// the current state as of `now`, without changing anything. Returns false with out.error set on
// bad input. `field_prefix` prefixes error fields (batch items: "orders[3].").
bool decide(const State& s, const OrderRequest& req, const Principal& by, TimeMs now, Decision& d,
            Result& out, std::string_view field_prefix = {});

// ---- views ----------------------------------------------------------------------------------
void fill_order_view(const State& s, uint32_t idx, bool with_events, OrderView& v);
// The view of a fresh decision (a quote, or an order just recorded: set order_no after).
void fill_decision_view(const State& s, const OrderRequest& req, const Decision& d,
                        const Principal& by, TimeMs at, OrderView& v);
void fill_credit(const State& s, uint32_t customer, CreditView& c);
// `today` is the date the view is as of (overdue days).
void fill_customer_view(const State& s, uint32_t customer, Day today, CustomerView& v);
void fill_product_view(const State& s, uint32_t product, ProductView& v);
AgingBuckets aging_of(const State& s, uint32_t customer, Day today);
// Exposure total in 128 bits (components are each checked int64), clamped for display.
__int128 exposure_total(const Customer& c);
Money clamp_money(__int128 v);

// ---- lists (lists.cc): list_customers, list_products ------------------------------------------
void list_customers(const State& s, const ListCustomers& q, Result& out);
void list_products(const State& s, const ListProducts& q, Result& out);

// ---- state moves ----------------------------------------------------------------------------
void list_push(State& s, OpenList list, uint32_t idx);
void list_remove(State& s, uint32_t idx);
// Moves an order to `status`, keeping the daily report's by-status counts right.
void set_status(State& s, uint32_t idx, OrderStatus status);
uint32_t add_event(State& s, uint32_t order, EventKind kind, const Principal* by, TimeMs at,
                   uint64_t number, Money amount, std::string_view text);
// Applies the customer's unapplied balance to open invoices, oldest due first; appends the
// applications to `applied` if given.
void apply_unapplied(State& s, uint32_t customer, std::vector<Application>* applied);
// Re-evaluates the overdue ladder for one customer. Returns +1 suspended, -1 reactivated, 0.
int ladder_check(State& s, uint32_t customer);
void remove_open_invoice(State& s, uint32_t invoice);
uint32_t add_ledger(State& s, uint32_t customer, EntryKind kind, uint64_t number, uint32_t payment,
                    Money amount);

}  // namespace credo::internal

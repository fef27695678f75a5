// Master data: customers (upsert_customer, set_credit, set_customer_status) and products
// (upsert_product, receive_stock, adjust_stock). Every handler validates first and only then
// changes state (engine/handlers.h). Customer changes go through the credit-data rules
// (engine/credit_data.cc): limit authority, history, review dates.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "engine/handlers.h"

namespace credo::internal {

namespace {

// Status set by a person: the ladder steps back (docs/rules.md, "Overdue ladder").
void set_status_by_person(State& s, uint32_t c, CustomerStatus status, std::string_view reason) {
  Customer& cust = s.customers[c];
  cust.status = status;
  cust.suspended_by_ladder = false;
  cust.status_reason = reason.empty() ? Text{} : s.add_text(reason);
  const bool overdue =
      !cust.open_invoices.empty() && s.today() - s.invoices[cust.open_invoices.front()].due > 0;
  cust.ladder_override = status == CustomerStatus::active && overdue;
}

void fill_customer(const State& s, uint32_t c, Result& out) {
  fill_customer_view(s, c, s.today(), out.emplace<CustomerView>());
}
void fill_product(const State& s, uint32_t p, Result& out) {
  fill_product_view(s, p, out.emplace<ProductView>());
}

// What a customer command asks of the credit data, applied after validation: everything at
// once except a limit raise above the caller's authority, which becomes a proposal
// (engine/credit_data.cc). A grade given counts as a grading: the review clock restarts.
struct CreditAsk {
  std::optional<Money> credit_limit;
  std::optional<Grade> grade;
  std::optional<int32_t> terms_days;
  std::optional<CustomerStatus> status;
  std::string_view reason;
};
void apply_credit(Ctx& x, uint32_t c, bool created, const CreditTerms& before,
                  const CreditAsk& ask) {
  State& s = x.s;
  Customer& cust = s.customers[c];
  const bool propose =
      ask.credit_limit && needs_proposal(s.policy, x.by, cust.credit_limit, *ask.credit_limit);
  if (ask.credit_limit && !propose) cust.credit_limit = *ask.credit_limit;
  if (ask.grade) cust.grade = *ask.grade;
  if (ask.terms_days) cust.terms_days = *ask.terms_days;
  if (ask.status) set_status_by_person(s, c, *ask.status, ask.reason);
  const Day due_before = cust.review_due;
  if (created || ask.grade) regrade(s, c);
  const CreditTerms after = credit_terms(cust);
  const bool changed = after.limit != before.limit || after.grade != before.grade ||
                       after.terms_days != before.terms_days || after.status != before.status ||
                       cust.review_due != due_before;
  if (created || changed)
    record_credit(s, c, created ? CreditChange::created : CreditChange::changed,
                  CreditRecord{&x.by, before, ask.reason});
  if (propose) {
    const ProposalNo no = propose_limit(s, c, x.by, *ask.credit_limit, ask.reason);
    fill_proposal_view(s, no, x.out.emplace<CreditProposalView>());
  } else {
    fill_customer(s, c, x.out);
  }
}

}  // namespace

// upsert_customer
bool handle(Ctx& x, const UpsertCustomer& cmd) {
  if (!key_ok(cmd.customer, "customer", x.out)) return false;
  if (cmd.name && !text_ok(*cmd.name, "name", x.out)) return false;
  if (cmd.credit_limit && *cmd.credit_limit < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "credit_limit may not be negative", "credit_limit");
  if (cmd.terms_days && !kTermsDaysRange.contains(*cmd.terms_days))
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "terms_days must be " + limits::range_text(kTermsDaysRange), "terms_days");
  State& s = x.s;
  const uint32_t c = intern_customer(s, cmd.customer);
  Customer& cust = s.customers[c];
  const bool created = !cust.exists;
  if (created) {  // new (or a phantom named by an earlier rejected order)
    cust.exists = true;
    cust.grade = Grade::D;
    cust.credit_limit = 0;
    cust.terms_days = 30;
    cust.status = CustomerStatus::active;
  }
  if (cmd.name) cust.name = s.add_text(*cmd.name);
  apply_credit(x, c, created, credit_terms(cust),
               {cmd.credit_limit, cmd.grade, cmd.terms_days, cmd.status, {}});
  return true;
}

// set_credit
bool handle(Ctx& x, const SetCredit& cmd) {
  uint32_t c;
  if (!customer_or_fail(x.s, cmd.customer, &c, x.out) || !text_ok(cmd.reason, "reason", x.out))
    return false;
  if (!cmd.credit_limit && !cmd.grade && !cmd.terms_days)
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "set_credit needs at least one of credit_limit, grade, terms_days");
  if (cmd.credit_limit && *cmd.credit_limit < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "credit_limit may not be negative", "credit_limit");
  if (cmd.terms_days && !kTermsDaysRange.contains(*cmd.terms_days))
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "terms_days must be " + limits::range_text(kTermsDaysRange), "terms_days");
  apply_credit(x, c, false, credit_terms(x.s.customers[c]),
               {cmd.credit_limit, cmd.grade, cmd.terms_days, {}, cmd.reason});
  return true;
}

// set_customer_status
bool handle(Ctx& x, const SetCustomerStatus& cmd) {
  uint32_t c;
  if (!customer_or_fail(x.s, cmd.customer, &c, x.out) || !text_ok(cmd.reason, "reason", x.out))
    return false;
  apply_credit(x, c, false, credit_terms(x.s.customers[c]), {{}, {}, {}, cmd.status, cmd.reason});
  return true;
}

// upsert_product
bool handle(Ctx& x, const UpsertProduct& cmd) {
  if (!key_ok(cmd.sku, "sku", x.out)) return false;
  if (cmd.name && !text_ok(*cmd.name, "name", x.out)) return false;
  State& s = x.s;
  const uint32_t existing = find_product(s, cmd.sku);
  if (existing == kNone && !cmd.price)
    return fail(x.out, ErrorCode::BAD_REQUEST, "a new product needs a price", "price");
  if (cmd.price && *cmd.price < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "price may not be negative", "price");
  if (cmd.floor_price && *cmd.floor_price < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "floor_price may not be negative", "floor_price");
  const Money price = cmd.price ? *cmd.price : s.products[existing].price;
  const Money floor = cmd.floor_price     ? *cmd.floor_price
                      : existing == kNone ? price
                                          : std::min(s.products[existing].floor_price, price);
  if (floor > price)
    return fail(x.out, ErrorCode::BAD_REQUEST, "floor_price may not be above price", "floor_price");
  if (cmd.on_hand) {
    if (*cmd.on_hand < 0)
      return fail(x.out, ErrorCode::BAD_REQUEST, "on_hand may not be negative", "on_hand");
    if (existing != kNone && *cmd.on_hand < s.products[existing].reserved)
      return fail(x.out, ErrorCode::INVALID_STATE,
                  "on_hand may not go below reserved (" +
                      std::to_string(s.products[existing].reserved) + ")",
                  "on_hand");
  }
  const uint32_t p = intern_product(s, cmd.sku);
  Product& prod = s.products[p];
  prod.exists = true;
  prod.price = price;
  prod.floor_price = floor;
  if (cmd.name) prod.name = s.add_text(*cmd.name);
  if (cmd.on_hand) prod.on_hand = *cmd.on_hand;
  fill_product(s, p, x.out);
  return true;
}

// receive_stock
bool handle(Ctx& x, const ReceiveStock& cmd) {
  uint32_t p;
  if (!product_or_fail(x.s, cmd.sku, &p, x.out)) return false;
  if (!kQtyRange.contains(cmd.qty))
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "qty must be an integer from " + limits::range_text(kQtyRange), "qty");
  Qty on_hand;
  if (add_overflows(x.s.products[p].on_hand, cmd.qty, &on_hand))
    return fail(x.out, ErrorCode::BAD_REQUEST, "on_hand would overflow", "qty");
  x.s.products[p].on_hand = on_hand;
  fill_product(x.s, p, x.out);
  return true;
}

// adjust_stock
bool handle(Ctx& x, const AdjustStock& cmd) {
  uint32_t p;
  if (!product_or_fail(x.s, cmd.sku, &p, x.out)) return false;
  if (cmd.on_hand < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "on_hand may not be negative", "on_hand");
  Product& prod = x.s.products[p];
  if (cmd.on_hand < prod.reserved)
    return fail(x.out, ErrorCode::INVALID_STATE,
                "on_hand may not go below reserved (" + std::to_string(prod.reserved) + ")",
                "on_hand");
  prod.on_hand = cmd.on_hand;
  fill_product(x.s, p, x.out);
  return true;
}

}  // namespace credo::internal

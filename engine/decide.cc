// The order decision: every rule that accepts, holds or rejects an order (docs/rules.md,
// "Deciding an order"). Pure: reads the state, writes only the Decision scratch.
#include <algorithm>

#include "engine/handlers.h"

namespace credo::internal {
namespace {

// Lowest approval level whose discount authority covers `bp`.
int8_t level_for_discount(const Policy& p, int32_t bp) {
  for (int l = 0; l <= kMaxLevel; ++l)
    if (p.discount_max_bp[l] >= bp) return static_cast<int8_t>(l);
  return kMaxLevel;
}

// Lowest approval level whose amount authority covers `total`.
int8_t level_for_total(const Policy& p, Money total) {
  for (int l = 0; l <= kMaxLevel; ++l)
    if (p.approve_total_max_minor[l] >= total) return static_cast<int8_t>(l);
  return kMaxLevel;
}

// ⌈(list − unit) × 10000 / list⌉, in 128 bits so that no price can overflow it.
int32_t discount_bp(Money list, Money unit) {
  if (unit >= list || list <= 0) return 0;
  const __int128 num = static_cast<__int128>(list - unit) * 10000;
  return static_cast<int32_t>((num + list - 1) / list);
}

// The field's name is only built on failure: a valid order builds no strings.
bool validate_key(const Key& k, bool required, Result& out, std::string_view prefix,
                  const char* name) {
  if (k.empty() && !required) return true;
  if (Key::valid(k.view())) return true;
  std::string field = std::string(prefix) + name;
  // The message is built before `field` is moved: the order in which a call's arguments are
  // evaluated is unspecified, and GCC moved it first (the message lost its field name).
  std::string message = field + " must be " + limits::key_text() + " without spaces";
  return fail(out, ErrorCode::BAD_REQUEST, std::move(message), std::move(field));
}

}  // namespace

bool decide(const State& s, const OrderRequest& req, const Principal& by, TimeMs now, Decision& d,
            Result& out, std::string_view field_prefix, uint32_t replacing) {
  if (!validate_key(req.customer, true, out, field_prefix, "customer")) return false;
  if (!validate_key(req.client_order_id, false, out, field_prefix, "client_order_id"))
    return false;
  const std::string prefix(field_prefix);
  if (req.ref.size() > kMaxTextLen)
    return fail(out, ErrorCode::BAD_REQUEST,
                "ref is longer than " + std::to_string(kMaxTextLen) + " bytes", prefix + "ref");
  if (req.lines.empty())
    return fail(out, ErrorCode::BAD_REQUEST, "an order needs at least one line", prefix + "lines");
  if (req.lines.size() > kMaxOrderLines)
    return fail(out, ErrorCode::BAD_REQUEST,
                "an order has at most " + std::to_string(kMaxOrderLines) + " lines",
                prefix + "lines");

  if (req.deposit_pct && req.payment != PaymentTerms::deposit)
    return fail(out, ErrorCode::BAD_REQUEST, "deposit_pct is only for payment \"deposit\"",
                prefix + "deposit_pct");
  if (req.deposit_pct && !kDepositPctRange.contains(*req.deposit_pct))
    return fail(out, ErrorCode::BAD_REQUEST,
                "deposit_pct must be an integer from " + limits::range_text(kDepositPctRange),
                prefix + "deposit_pct");

  const Policy& policy = s.policy;
  const int level = std::min<int>(by.level, kMaxLevel);
  // The customer is looked up once per decision (the duplicate check and the record reuse it).
  d.customer_key = s.customer_ids.find(req.customer.view());
  d.customer =
      d.customer_key != kNone && s.customers[d.customer_key].exists ? d.customer_key : kNone;
  d.reasons.clear();
  d.lines.resize(req.lines.size());
  d.total = 0;
  d.deposit_due = 0;

  // Lines: validate, price, and check stock cumulatively per product (pending_qty holds what
  // earlier lines of this order already asked for; it is all zero between decisions).
  std::vector<Qty>& pending = s.pending_qty;
  if (pending.size() < s.products.size()) pending.resize(s.products.size(), 0);
  // A new version of an open order may use the stock its old version holds (the unshipped
  // rest) and the units that shipped (its lines count them again): all of the old quantity.
  const Order* old = replacing == kNone ? nullptr : &s.orders[replacing];
  if (old)
    for (uint32_t l = old->first_line; l < old->first_line + old->line_count; ++l)
      pending[s.lines[l].product] -= s.lines[l].qty;
  const uint32_t buyer = d.customer;  // contract prices are per customer
  bool ok = true;
  std::size_t i = 0;
  for (; i < req.lines.size(); ++i) {
    const LineRequest& lr = req.lines[i];
    LineCalc& lc = d.lines[i];
    lc = LineCalc{};
    if (!Key::valid(lr.sku.view())) {
      ok =
          fail(out, ErrorCode::BAD_REQUEST, "sku must be " + limits::key_text() + " without spaces",
               prefix + line_field(i, "sku"));
      break;
    }
    if (!kQtyRange.contains(lr.qty)) {
      ok = fail(out, ErrorCode::BAD_REQUEST,
                "qty must be an integer from " + limits::range_text(kQtyRange),
                prefix + line_field(i, "qty"));
      break;
    }
    if (lr.unit_price && *lr.unit_price < 0) {
      ok = fail(out, ErrorCode::BAD_REQUEST, "unit_price may not be negative",
                prefix + line_field(i, "unit_price"));
      break;
    }
    uint32_t p = s.skus.find(lr.sku.view());
    if (p != kNone && !s.products[p].exists) p = kNone;
    lc.product = p;
    if (p == kNone) {
      lc.unit_price = lr.unit_price.value_or(0);
      continue;  // UNKNOWN_SKU: counts 0 in the total
    }
    const Product& prod = s.products[p];
    // A contract price of the customer for this sku, in force today (docs/rules.md, "Contract
    // prices"): the line's price when it asks none, and the base its discount is measured from.
    const PriceAgreement* deal =
        buyer == kNone ? nullptr : agreement_in_force(s, buyer, p, day_of(now));
    const Money base = deal ? deal->unit_price : prod.price;
    lc.unit_price = lr.unit_price.value_or(base);
    // A line that asks exactly the base price reads as priced by that base.
    lc.source = lc.unit_price != base ? PriceSource::requested
                : deal                ? PriceSource::agreement
                                      : PriceSource::list;
    if (mul_overflows(lr.qty, lc.unit_price, &lc.amount) ||
        add_overflows(d.total, lc.amount, &d.total)) {
      ok = fail(out, ErrorCode::BAD_REQUEST, "the order's amount overflows",
                prefix + line_field(i, "unit_price"));
      break;
    }
    const Qty left = prod.on_hand - prod.reserved - pending[p];
    if (lr.qty > left) {
      lc.short_of_stock = true;
      lc.available = std::max<Qty>(left, 0);
    }
    pending[p] += lr.qty;
    lc.discount_bp = discount_bp(prod.price, lc.unit_price);
    // What needs approval is the discount from the agreement's price (approved when it was
    // made), or from the list price without one.
    const int32_t asked_bp = deal ? discount_bp(base, lc.unit_price) : lc.discount_bp;
    if (lc.unit_price < prod.floor_price) {
      lc.below_floor = true;  // rejected: no price approval can help
    } else if (asked_bp > policy.discount_max_bp[level]) {
      lc.price_level = level_for_discount(policy, asked_bp);
    }
  }
  for (std::size_t j = 0; j < i && j < req.lines.size(); ++j)
    if (d.lines[j].product != kNone) pending[d.lines[j].product] = 0;
  if (old)
    for (uint32_t l = old->first_line; l < old->first_line + old->line_count; ++l)
      pending[s.lines[l].product] = 0;
  if (!ok) return false;

  // What the order adds to the customer's exposure (or prepayment): its total, less what the
  // version it replaces counted. The shipped units are in both, at the same price, so the
  // difference is what the new version's unshipped rest adds or gives back.
  const Money replaced = old ? old->total : 0;

  // Customer. Credit reasons apply to credit orders and to a deposit order's credit part (the
  // total less its deposit); prepaid and cash-on-delivery orders take no credit.
  const bool prepaid = req.payment == PaymentTerms::prepaid;
  const bool cod = req.payment == PaymentTerms::cod;
  const bool on_credit = !prepaid && !cod;
  const uint32_t c = d.customer;
  if (c != kNone) {
    const Customer& cust = s.customers[c];
    const __int128 open = prepaid ? static_cast<__int128>(cust.prepaid_reserved)
                                  : static_cast<__int128>(cust.open_orders) + cust.held;
    if (open + d.total - replaced > kMoneyMax)
      return fail(out, ErrorCode::BAD_REQUEST, "the customer's open order value would overflow",
                  prefix + "lines");
  }

  auto add = [&](Reason code, int32_t line = -1, int8_t level_needed = -1, Qty avail = -1) {
    d.reasons.push_back(ReasonRec{code, line, level_needed, avail});
  };
  if (c == kNone) add(Reason::UNKNOWN_CUSTOMER);
  const Customer* cust = c == kNone ? nullptr : &s.customers[c];
  if (req.payment == PaymentTerms::deposit)
    d.deposit_due = deposit_of(
        d.total, req.deposit_pct.value_or(default_deposit_pct(policy, cust ? cust->grade : Grade::D)));
  const Money credit_part = d.total - d.deposit_due;
  if (cust && cust->status == CustomerStatus::blocked) add(Reason::CUSTOMER_BLOCKED);
  for (std::size_t j = 0; j < d.lines.size(); ++j)
    if (d.lines[j].product == kNone) add(Reason::UNKNOWN_SKU, static_cast<int32_t>(j));
  for (std::size_t j = 0; j < d.lines.size(); ++j)
    if (d.lines[j].short_of_stock)
      add(Reason::INSUFFICIENT_STOCK, static_cast<int32_t>(j), -1, d.lines[j].available);
  for (std::size_t j = 0; j < d.lines.size(); ++j)
    if (d.lines[j].below_floor) add(Reason::BELOW_FLOOR_PRICE, static_cast<int32_t>(j));
  if (cust && prepaid && cust->unapplied < static_cast<__int128>(d.total) - replaced)
    add(Reason::PREPAYMENT_REQUIRED);
  // Credit reasons carry the level the policy gives them (docs/rules.md "Who approves what").
  auto configured = [&](Reason r) { return policy.reason_levels[static_cast<std::size_t>(r)]; };
  if (cust && cust->status == CustomerStatus::on_hold)
    add(Reason::CUSTOMER_ON_HOLD, -1, configured(Reason::CUSTOMER_ON_HOLD));
  if (cust && on_credit) {
    if (cust->grade == Grade::D) add(Reason::CREDIT_GRADE, -1, configured(Reason::CREDIT_GRADE));
    const __int128 over = exposure_total(*cust) + credit_part - replaced - cust->credit_limit;
    if (over > 0) {
      // Far over the limit goes up to the VP (004 9-02 §6).
      const bool far = over * 100 > static_cast<__int128>(cust->credit_limit) *
                                        policy.credit_limit_vp_pct;
      const int8_t base = configured(Reason::CREDIT_LIMIT);
      add(Reason::CREDIT_LIMIT, -1, far ? std::max<int8_t>(base, 2) : base);
    }
    if (!cust->open_invoices.empty()) {
      const Day oldest_due = s.invoices[cust->open_invoices.front()].due;
      if (day_of(now) - oldest_due > policy.overdue_hold_days)
        add(Reason::OVERDUE, -1, configured(Reason::OVERDUE));
    }
  }
  // Cash on delivery: an unpaid cash-on-delivery invoice past due holds the next one (004 9-02
  // §5.4: 現款現貨 means the cash comes with the goods).
  if (cust && cod && cod_overdue(s, c, day_of(now)))
    add(Reason::OVERDUE, -1, configured(Reason::OVERDUE));
  for (std::size_t j = 0; j < d.lines.size(); ++j)
    if (d.lines[j].price_level >= 0)
      add(Reason::PRICE_APPROVAL, static_cast<int32_t>(j), d.lines[j].price_level);
  if (d.total > policy.approve_total_max_minor[level])
    add(Reason::AMOUNT_APPROVAL, -1, level_for_total(policy, d.total));
  // creditdata: a credit review overdue past the grace holds credit orders; a credit principal
  // of level kReviewDueReleaseLevel releases it (docs/rules.md, "Credit data").
  if (cust && on_credit && int64_t{day_of(now)} - cust->review_due > policy.review_grace_days)
    add(Reason::CREDIT_REVIEW_DUE, -1, kReviewDueReleaseLevel);
  // Credit by grade: one order's credit part above the grade's cap (004 9-02 §5).
  if (cust && on_credit && credit_part > order_credit_cap(policy, cust->grade))
    add(Reason::ORDER_CREDIT_CAP, -1, configured(Reason::ORDER_CREDIT_CAP));

  const bool rejected = std::any_of(d.reasons.begin(), d.reasons.end(),
                                    [](const ReasonRec& r) { return rejects(r.code); });
  d.status = rejected            ? OrderStatus::rejected
             : d.reasons.empty() ? OrderStatus::accepted
                                 : OrderStatus::held;
  return true;
}

}  // namespace credo::internal

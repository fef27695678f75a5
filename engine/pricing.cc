// Contract prices (優惠的范圍、條件、期限, 003 三(三)1; 004 P5 §4-6): a price agreement says that
// one customer buys one sku at unit_price from one day to another. upsert_price_agreement makes
// or changes one (order role, level 2: the agreement is the approval of its price),
// end_price_agreement ends it now, list_price_agreements pages through them.
//
// How an agreement prices an order line is decided in engine/decide.cc: a line of that
// customer and sku on a day within from..to and without a unit_price is priced at the agreement;
// a line that asks for the agreement price or more is no discount (no PRICE_APPROVAL); below it
// the discount is measured from the agreement price. The floor price is never undercut: an
// agreement below the floor is refused here, and a line priced below a floor raised since is
// rejected BELOW_FLOOR_PRICE as any other.
//
// At most one agreement of a customer and sku is in force on any day: an upsert whose dates
// overlap another (not ended) agreement of the same pair is refused (INVALID_STATE,
// AGREEMENT_OVERLAPS), so the line's price never depends on which of two agreements is picked.
#include <algorithm>
#include <string>

#include "engine/handlers.h"

namespace credo::internal {
namespace {

constexpr char kAgreementCursor = 'a';

uint64_t pair_key(uint32_t customer, uint32_t product) {
  return (uint64_t{customer} << 32) | product;
}

const char* status_of(const PriceAgreement& a, Day today) {
  if (a.ended) return "ended";
  if (today < a.from) return "pending";
  if (today > a.to) return "expired";
  return "active";
}

void fill_view(const State& s, uint32_t id, Day today, PriceAgreementView& v) {
  const PriceAgreement& a = s.agreements[id];
  v.agreement_ref = Key::of(s.agreement_refs.view(id));
  v.customer = Key::of(s.customer_ids.view(a.customer));
  v.sku = Key::of(s.skus.view(a.product));
  v.unit_price = a.unit_price;
  v.from = a.from;
  v.to = a.to;
  v.status = status_of(a, today);
  v.made_by = Key::of(s.principals.view(a.made_by));
  v.made_at = a.made_at;
  v.ended_by = a.ended_by == kNone ? Key{} : Key::of(s.principals.view(a.ended_by));
  v.ended_at = a.ended_at;
  v.end_reason.assign(s.text_of(a.end_reason));
  v.duplicate = false;
}

}  // namespace

const PriceAgreement* agreement_in_force(const State& s, uint32_t customer, uint32_t product,
                                         Day day) {
  if (s.agreements_of.empty()) return nullptr;
  const auto it = s.agreements_of.find(pair_key(customer, product));
  if (it == s.agreements_of.end()) return nullptr;
  for (const uint32_t id : it->second) {
    const PriceAgreement& a = s.agreements[id];
    if (!a.ended && a.from <= day && day <= a.to) return &a;
  }
  return nullptr;
}

void rebuild_agreement_index(State& s) {
  s.agreements_of.clear();
  for (uint32_t id = 0; id < s.agreements.size(); ++id)
    s.agreements_of[pair_key(s.agreements[id].customer, s.agreements[id].product)].push_back(id);
}

std::string check_agreements(const State& s) {
  if (s.agreement_refs.size() != s.agreements.size())
    return "one agreement_ref per price agreement";
  std::size_t indexed = 0;
  for (uint32_t id = 0; id < s.agreements.size(); ++id) {
    const PriceAgreement& a = s.agreements[id];
    if (a.customer >= s.customers.size() || !s.customers[a.customer].exists ||
        a.product >= s.products.size() || !s.products[a.product].exists)
      return "price agreement " + std::to_string(id) + " names no customer or product";
    if (a.from > a.to || a.unit_price < 0 || a.made_by >= s.principals.size() ||
        (a.ended && a.ended_by >= s.principals.size()))
      return "price agreement " + std::to_string(id) + " is malformed";
    const auto it = s.agreements_of.find(pair_key(a.customer, a.product));
    if (it == s.agreements_of.end() || std::find(it->second.begin(), it->second.end(), id) ==
                                           it->second.end())
      return "price agreement " + std::to_string(id) + " is not indexed";
    // No two agreements of one pair, neither ended, overlap.
    for (const uint32_t other : it->second) {
      const PriceAgreement& b = s.agreements[other];
      if (other != id && !a.ended && !b.ended && a.from <= b.to && b.from <= a.to)
        return "price agreements " + std::to_string(id) + " and " + std::to_string(other) +
               " overlap";
    }
  }
  for (const auto& [key, ids] : s.agreements_of) indexed += ids.size();
  if (indexed != s.agreements.size()) return "the agreement index has extra entries";
  return {};
}

// upsert_price_agreement
bool handle(Ctx& x, const UpsertPriceAgreement& cmd) {
  State& s = x.s;
  uint32_t c = kNone, p = kNone;
  if (!key_ok(cmd.agreement_ref, "agreement_ref", x.out) ||
      !customer_or_fail(s, cmd.customer, &c, x.out) || !product_or_fail(s, cmd.sku, &p, x.out))
    return false;
  if (cmd.unit_price < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "unit_price may not be negative", "unit_price");
  if (cmd.from > cmd.to)
    return fail(x.out, ErrorCode::BAD_REQUEST, "to must be on or after from", "to");
  if (cmd.to < s.today())
    return fail(x.out, ErrorCode::BAD_REQUEST, "to is in the past: the agreement would never apply",
                "to");
  const Product& prod = s.products[p];
  if (cmd.unit_price < prod.floor_price)
    return fail(x.out, ErrorCode::BAD_REQUEST,
                "unit_price is below the floor price " + std::to_string(prod.floor_price) +
                    " of " + std::string(cmd.sku.view()),
                "unit_price");
  const uint32_t existing = s.agreement_refs.find(cmd.agreement_ref.view());
  if (existing != kNone) {
    const PriceAgreement& a = s.agreements[existing];
    if (a.customer != c || a.product != p)
      return fail(x.out, ErrorCode::DUPLICATE,
                  "agreement_ref '" + std::string(cmd.agreement_ref.view()) +
                      "' belongs to another customer or sku",
                  "agreement_ref");
    if (a.ended)
      return fail_state(x.out, "AGREEMENT_ENDED",
                        "agreement '" + std::string(cmd.agreement_ref.view()) +
                            "' was ended; make a new one",
                        "agreement_ref");
    if (a.unit_price == cmd.unit_price && a.from == cmd.from && a.to == cmd.to) {
      PriceAgreementView& v = x.out.emplace<PriceAgreementView>();
      fill_view(s, existing, s.today(), v);
      v.duplicate = true;
      return true;
    }
  }
  const auto it = s.agreements_of.find(pair_key(c, p));
  if (it != s.agreements_of.end())
    for (const uint32_t other : it->second) {
      const PriceAgreement& b = s.agreements[other];
      if (other != existing && !b.ended && cmd.from <= b.to && b.from <= cmd.to)
        return fail_state(x.out, "AGREEMENT_OVERLAPS",
                          "agreement '" + std::string(s.agreement_refs.view(other)) +
                              "' of this customer and sku covers some of these days",
                          "from");
    }
  const uint32_t id = existing != kNone ? existing : s.agreement_refs.intern(cmd.agreement_ref.view());
  if (existing == kNone) {
    s.agreements.emplace_back();
    s.agreements_of[pair_key(c, p)].push_back(id);
  }
  PriceAgreement& a = s.agreements[id];
  a.customer = c;
  a.product = p;
  a.unit_price = cmd.unit_price;
  a.from = cmd.from;
  a.to = cmd.to;
  a.made_by = s.principals.intern(x.by.name.view());
  a.made_at = x.now;
  fill_view(s, id, s.today(), x.out.emplace<PriceAgreementView>());
  return true;
}

// end_price_agreement
bool handle(Ctx& x, const EndPriceAgreement& cmd) {
  State& s = x.s;
  if (!key_ok(cmd.agreement_ref, "agreement_ref", x.out) || !text_ok(cmd.reason, "reason", x.out))
    return false;
  const uint32_t id = s.agreement_refs.find(cmd.agreement_ref.view());
  if (id == kNone)
    return fail(x.out, ErrorCode::NOT_FOUND,
                "no price agreement '" + std::string(cmd.agreement_ref.view()) + "'",
                "agreement_ref");
  PriceAgreement& a = s.agreements[id];
  if (a.ended)
    return fail_state(x.out, "AGREEMENT_ENDED",
                      "agreement '" + std::string(cmd.agreement_ref.view()) + "' is already ended",
                      "agreement_ref");
  a.ended = true;
  a.ended_by = s.principals.intern(x.by.name.view());
  a.ended_at = x.now;
  a.end_reason = s.add_text(cmd.reason);
  fill_view(s, id, s.today(), x.out.emplace<PriceAgreementView>());
  return true;
}

// list_price_agreements: in the order they were made. With both customer and sku, only that
// pair's agreements are read; otherwise at most kMaxPageExamined agreements per call.
void list_price_agreements(const State& s, const ListPriceAgreements& q, Day today, Result& out) {
  uint64_t start = 0;
  if (!limit_ok(q.limit, out) ||
      !start_of(q.cursor, kAgreementCursor, s.agreements.size(), &start, out))
    return;
  const uint32_t c = q.customer ? find_customer(s, *q.customer) : kNone;
  const uint32_t p = q.sku ? find_product(s, *q.sku) : kNone;
  PriceAgreementList& list = out.emplace<PriceAgreementList>();
  uint32_t rows = 0;
  auto emit = [&](uint32_t id) {
    if (list.agreements.size() <= rows) list.agreements.emplace_back();
    fill_view(s, id, today, list.agreements[rows++]);
  };
  list.next_cursor = Key{};
  if ((q.customer && c == kNone) || (q.sku && p == kNone)) {  // nobody: no rows
    list.agreements.clear();
    return;
  }
  if (q.customer && q.sku) {
    const auto it = s.agreements_of.find(pair_key(c, p));
    if (it != s.agreements_of.end()) {
      auto from = std::lower_bound(it->second.begin(), it->second.end(), start);
      for (; from != it->second.end() && rows < q.limit; ++from) emit(*from);
      if (from != it->second.end()) list.next_cursor = cursor_at(kAgreementCursor, *from);
    }
    list.agreements.resize(rows);
    return;
  }
  uint64_t i = start;
  for (uint32_t examined = 0; i < s.agreements.size() && rows < q.limit &&
                              examined < kMaxPageExamined;
       ++examined, ++i) {
    const PriceAgreement& a = s.agreements[i];
    if ((c != kNone && a.customer != c) || (p != kNone && a.product != p)) continue;
    emit(static_cast<uint32_t>(i));
  }
  if (i < s.agreements.size()) list.next_cursor = cursor_at(kAgreementCursor, i);
  list.agreements.resize(rows);
}

}  // namespace credo::internal

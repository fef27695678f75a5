// Field checks and lookups by key shared by the command handlers (engine/handlers.h).
#include <cstring>
#include <string>
#include <string_view>

#include "engine/handlers.h"

namespace credo::internal {

bool text_ok(const std::string& t, const char* field, Result& out) {
  if (t.size() <= kMaxTextLen) return true;
  return fail(out, ErrorCode::BAD_REQUEST,
              std::string(field) + " is longer than " + std::to_string(kMaxTextLen) + " bytes",
              field);
}

bool key_ok(const Key& k, const char* field, Result& out) {
  if (Key::valid(k.view())) return true;
  return fail(out, ErrorCode::BAD_REQUEST,
              std::string(field) + " must be " + limits::key_text() + " without spaces", field);
}

uint32_t find_customer(const State& s, const Key& k) {
  const uint32_t c = s.customer_ids.find(k.view());
  return c != kNone && s.customers[c].exists ? c : kNone;
}
uint32_t find_product(const State& s, const Key& k) {
  const uint32_t p = s.skus.find(k.view());
  return p != kNone && s.products[p].exists ? p : kNone;
}
bool customer_or_fail(const State& s, const Key& k, uint32_t* c, Result& out) {
  if (!key_ok(k, "customer", out)) return false;
  *c = find_customer(s, k);
  if (*c != kNone) return true;
  return fail(out, ErrorCode::NOT_FOUND, "no customer '" + std::string(k.view()) + "'", "customer");
}
bool product_or_fail(const State& s, const Key& k, uint32_t* p, Result& out) {
  if (!key_ok(k, "sku", out)) return false;
  *p = find_product(s, k);
  if (*p != kNone) return true;
  return fail(out, ErrorCode::NOT_FOUND, "no product '" + std::string(k.view()) + "'", "sku");
}
bool order_or_fail(const State& s, OrderNo no, uint32_t* idx, Result& out) {
  if (no >= kFirstOrderNo && no - kFirstOrderNo < s.orders.size()) {
    *idx = static_cast<uint32_t>(no - kFirstOrderNo);
    return true;
  }
  return fail(out, ErrorCode::NOT_FOUND, "no order " + std::to_string(no), "order_no");
}

uint32_t intern_customer(State& s, const Key& k) {
  const uint32_t c = s.customer_ids.intern(k.view());
  if (c == s.customers.size()) s.customers.emplace_back();
  return c;
}
uint32_t intern_product(State& s, const Key& k) {
  const uint32_t p = s.skus.intern(k.view());
  if (p == s.products.size()) s.products.emplace_back();
  return p;
}

std::string_view client_order_key(uint32_t customer, const Key& client_order_id, char* buf) {
  std::memcpy(buf, &customer, 4);
  std::memcpy(buf + 4, client_order_id.data, client_order_id.len);
  return {buf, 4u + client_order_id.len};
}

uint32_t find_client_order(const State& s, uint32_t customer, const Key& client_order_id) {
  char buf[4 + Key::kMaxLen];
  const uint32_t id = s.client_order_ids.find(client_order_key(customer, client_order_id, buf));
  return id == kNone ? kNone : s.client_order_to_order[id];
}
uint32_t find_client_order(const State& s, const Key& customer, const Key& client_order_id) {
  const uint32_t c = s.customer_ids.find(customer.view());
  return c == kNone ? kNone : find_client_order(s, c, client_order_id);
}

}  // namespace credo::internal

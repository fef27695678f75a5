#include "tools/loadgen/workload.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace credo::loadgen {

const char* to_string(OpKind k) {
  switch (k) {
    case OpKind::order:
      return "orders";
    case OpKind::quote:
      return "quotes";
    case OpKind::payment:
      return "payments";
    case OpKind::ship:
      return "ships";
  }
  return "?";
}

bool parse_mix(const std::string& text, Mix* out, std::string* error) {
  Mix mix;
  for (auto& w : mix.weight) w = 0;
  std::stringstream in(text);
  std::string item;
  uint64_t total = 0;
  while (std::getline(in, item, ',')) {
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      *error = "mix item '" + item + "' is not name=weight";
      return false;
    }
    std::string name = item.substr(0, eq);
    int kind = -1;
    for (int k = 0; k < kOpKinds; k++)
      if (name == to_string(static_cast<OpKind>(k))) kind = k;
    if (kind < 0) {
      *error = "unknown mix kind '" + name + "' (orders, quotes, payments, ships)";
      return false;
    }
    char* end = nullptr;
    unsigned long w = std::strtoul(item.c_str() + eq + 1, &end, 10);
    if (end == item.c_str() + eq + 1 || *end != '\0' || w > 1'000'000) {
      *error = "bad weight in mix item '" + item + "'";
      return false;
    }
    mix.weight[kind] = static_cast<uint32_t>(w);
    total += w;
  }
  if (total == 0) {
    *error = "the mix has no weight";
    return false;
  }
  *out = mix;
  return true;
}

static std::string numbered(const char* prefix, int width, uint32_t i) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%s%0*u", prefix, width, i + 1);
  // Short constant prefixes and at most 10 digits: a truncated id is a programming error.
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buf) std::abort();
  return buf;
}
std::string customer_id(uint32_t i) {
  return numbered("LC", 6, i);
}
std::string tight_customer_id(uint32_t i) {
  return numbered("LT", 4, i);
}
std::string sku(uint32_t i) {
  return numbered("LP", 6, i);
}
std::string stockout_sku(uint32_t i) {
  return numbered("LS", 4, i);
}
// Prices between 1.00 and 99.99: an order of 3 lines x 5 units stays far below level 0's
// approval limit (100,000.00), so AMOUNT_APPROVAL never fires by accident.
int64_t price_minor(uint32_t product) {
  return 100 + (product * 7919u) % 9900;
}
int64_t floor_minor(uint32_t product) {
  return price_minor(product) * 90 / 100;
}

Workload::Workload(const WorkloadConfig& config, uint32_t stream)
    : config_(config), stream_(stream), state_(config.seed * 0x9E3779B97F4A7C15ull + stream + 1) {
  for (uint32_t w : config_.mix.weight) weight_total_ += w;
}

// splitmix64: fast, good enough for picking ids, and reproducible.
uint64_t Workload::next_random() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

OpKind Workload::next_kind() {
  uint32_t r = uniform(weight_total_);
  for (int k = 0; k < kOpKinds; k++) {
    if (r < config_.mix.weight[k]) return static_cast<OpKind>(k);
    r -= config_.mix.weight[k];
  }
  return OpKind::order;
}

void Workload::next_order(Order* out) {
  out->tight = chance(config_.limit_pct);
  out->customer = out->tight ? uniform(kTightCustomers) : uniform(config_.data.customers);
  out->client_order_id = config_.run_tag;
  out->client_order_id += '-';
  out->client_order_id += std::to_string(stream_);
  out->client_order_id += '-';
  out->client_order_id += std::to_string(++orders_);
  out->lines.resize(config_.lines);
  for (uint32_t i = 0; i < config_.lines; i++) {
    Line& l = out->lines[i];
    l.stockout = false;
    // Distinct products per order (consecutive from a random start), like a real basket and so
    // the peers' row locks never meet the same row twice in one order.
    l.product = (uniform(config_.data.products) + i) % config_.data.products;
    l.qty = 1 + uniform(config_.qty_max);
    l.unit_price_minor.reset();
  }
  if (config_.lines > 0 && chance(config_.stockout_pct)) {
    Line& l = out->lines[config_.lines - 1];
    l.stockout = true;
    l.product = uniform(kStockoutProducts);
  }
  if (config_.lines > 0 && chance(config_.discount_pct) && !out->lines[0].stockout)
    out->lines[0].unit_price_minor = price_minor(out->lines[0].product) * 98 / 100;
}

void Workload::next_payment(Payment* out) {
  out->customer = uniform(config_.data.customers);
  out->amount_minor = 100 + uniform(100'000);
  out->payment_ref =
      config_.run_tag + "-P" + std::to_string(stream_) + "-" + std::to_string(++payments_);
}

}  // namespace credo::loadgen

// The known op names, so per-op stats live in a fixed array (no map of strings).
#pragma once

#include <array>
#include <string_view>

namespace credo::net {

constexpr std::array<std::string_view, 31> kOpNames = {
    "hello",          "ping",          "stats",           "snapshot",      "set_clock",
    "tick",           "set_policy",    "upsert_customer", "set_credit",    "set_customer_status",
    "upsert_product", "receive_stock", "adjust_stock",    "submit_order",  "submit_orders",
    "quote",          "cancel_order",  "get_order",       "release_order", "reject_order",
    "list_held",      "ship",          "record_payment",  "return_goods",  "write_off",
    "get_customer",   "get_product",   "aging",           "statement",     "daily_report",
    "state_hash"};
int op_index(std::string_view op);  // -1 if unknown

}  // namespace credo::net

// The two wire formats credo-loadgen speaks: credo's NDJSON protocol (docs/protocol.md) and Redis's
// RESP (for the Redis peer benchmark, bench/peers/redis_order.lua). Encoders append to a
// buffer; parsers read just what the load generator counts (ok, decision, order_no, error
// code) without building a document, so the client's cost per answer stays small and equal
// for every system under test.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/loadgen/workload.h"

namespace credo::loadgen {

// ---- credo NDJSON ----------------------------------------------------------------------------
void append_hello(std::string& out, std::string_view key);
// op is "submit_order" or "quote".
void append_order(std::string& out, std::string_view op, const Order& order);
void append_batch(std::string& out, const std::vector<Order>& orders);
void append_payment(std::string& out, const Payment& payment);
void append_ship(std::string& out, uint64_t order_no);
void append_upsert_customer(std::string& out, std::string_view id, int64_t credit_limit_minor);
void append_upsert_product(std::string& out, std::string_view sku, int64_t price_minor,
                           int64_t floor_minor, int64_t on_hand);

// What one answer line said. For submit_orders, one decision per result.
struct Answer {
  bool ok = false;
  std::string error_code;  // when !ok (or a batch item failed): the first error's code
  uint32_t accepted = 0, held = 0, rejected = 0;
  uint32_t item_errors = 0;  // batch items answered ok:false
  std::vector<uint64_t> accepted_order_nos;
};
// Parses one answer line (without '\n'). False if it is not an answer at all (protocol error).
bool parse_credo_answer(std::string_view line, Answer* out);

// ---- credo over HTTP/1.1 (docs/http.md): the same ops as keep-alive requests -----------------
// Each appends one whole request (POST, Host, Authorization: Bearer key, Content-Length, body).
// `path` is "/v1/orders" or "/v1/orders/quote".
void append_http_order(std::string& out, std::string_view path, const Order& order,
                       std::string_view key);
void append_http_batch(std::string& out, const std::vector<Order>& orders, std::string_view key);
void append_http_payment(std::string& out, const Payment& payment, std::string_view key);
void append_http_ship(std::string& out, uint64_t order_no, std::string_view key);
// Parses one response from the front of `in`: returns bytes consumed and its body (the
// protocol's answer object), 0 if `in` holds no whole response yet, -1 if it is malformed.
long parse_http_response(std::string_view in, std::string_view* body);

// ---- Redis RESP ------------------------------------------------------------------------------
// A command as a RESP array of bulk strings.
void append_resp_command(std::string& out, const std::vector<std::string_view>& args);
// EVALSHA of bench/peers/redis_order.lua for one order:
//   KEYS = customer hash, product hashes...;  ARGV = client_order_id, submitter level, today,
//   then per line qty and unit price (-1 = list price).
void append_redis_order(std::string& out, std::string_view sha, const Order& order);

struct RespReply {
  char type = 0;  // '+', '-', ':', '$' (bulk; null bulk has is_null), '*' (array, elements skipped)
  bool is_null = false;
  int64_t integer = 0;
  std::string text;  // simple string, error or bulk string
};
// Parses one reply from the front of `in`. Returns bytes consumed, 0 if `in` holds no whole
// reply yet, or -1 on a malformed reply.
long parse_resp(std::string_view in, RespReply* out);
// Maps the Lua script's reply ("A:<order_no>", "H:..", "R:..", "D:.." duplicate) to an Answer.
bool redis_order_answer(const RespReply& reply, Answer* out);

}  // namespace credo::loadgen

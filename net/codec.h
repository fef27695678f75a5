// The JSON codec at the network edge: request lines in, response lines out (docs/protocol.md).
// Parsing validates everything that can be checked without engine state (types, ranges, id
// syntax, sizes, dates) so the engine only ever sees well-formed Commands and Queries; business
// validation (unknown customer, stock, authority) stays in the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/command.h"
#include "engine/ops.h"
#include "engine/result.h"

namespace credo::net {

// What a request line asks for, once parsed and validated at the edge.
enum class RequestKind : uint8_t {
  hello,
  ping,
  command,
  query,
  snapshot,
  set_clock,
  stats,
  state_hash,  // extension: the engine's state hash at its last applied seq (admin)
  step_down,   // extension: a replicated primary hands over to a standby (admin)
  metrics,     // extension: the Prometheus text exposition (net/metrics.h)
  whoami,      // extension: the connection's principal, roles and level (hello's answer)
};

struct Request {
  std::string id_json;  // the raw JSON text of "id" (string or integer) to echo; empty if absent
  std::string op;       // the op name as sent
  OpId op_id = 0;       // its index in engine/ops.h's kOps
  RequestKind kind = RequestKind::ping;
  std::string key;       // hello
  CommandBody command;   // kind == command (timestamp, seq and principal are set by the server)
  QueryBody query;       // kind == query
  TimeMs clock_now = 0;  // set_clock: the requested time
};

// Sizes the codec needs around the input for simdjson: the caller guarantees that
// `line.data()` is followed by at least kParsePadding readable bytes (any content).
// Why: simdjson reads in 64-byte blocks and may read past the end of the document; padding
// lets it parse straight from the connection's read buffer without a copy.
constexpr std::size_t kParsePadding =
    64;  // == SIMDJSON_PADDING (static_assert in request_parser.cc)

// Parses one request line (without the trailing '\n'). Returns true and fills `out`, or returns
// false and fills `err` with BAD_JSON (not a JSON object / invalid UTF-8 / trailing garbage),
// UNKNOWN_OP, or BAD_REQUEST (missing, wrong-typed, out-of-range or unknown field; money that is a
// float, a string or outside int64; ids not 1..64 printable ASCII; more than 1,000 lines or
// 10,000 orders; dates that are not real dates), with `field` naming the culprit ("lines[2].qty").
// `out.id_json` is filled whenever the id could be read, also on failure. Reuses out's buffers.
// A key given twice in one object is BAD_REQUEST (field = that key): neither "first wins" nor
// "last wins" is what every client expects, so we refuse to guess.
// Not thread-safe: one parser per thread (it owns simdjson's buffers).
class RequestParser {
 public:
  RequestParser();
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  bool parse(std::string_view line, Request& out, Error& err);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends one response line (ending in '\n') to `out`.
// `op` tells which op produced the result (the same Result type answers several ops).
// If !r.ok(), writes the error envelope (same as write_error).
void write_result(std::string& out, std::string_view id_json, std::string_view op, const Result& r);
// The same for an op known by its id (Request::op_id, engine/ops.h): no name lookup.
// `as_of_seq` > 0 (a replicated standby's read): the answer says which seq it reflects.
void write_result(std::string& out, std::string_view id_json, int op, const Result& r,
                  uint64_t as_of_seq = 0);
// {"id":..,"ok":false,"error":{"code":..,"message":..,"field"?:..}}\n
void write_error(std::string& out, std::string_view id_json, const Error& e);
// Minimal success envelope for ops the server answers itself: {"id":..,"ok":true}\n
// (the "id" member is omitted when id_json is empty).
void write_ok(std::string& out, std::string_view id_json);

}  // namespace credo::net

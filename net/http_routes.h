// The HTTP edge's routes (docs/http.md), derived from the op table: every op with an
// http_method/http_path in engine/ops.h is served at "/v1" + its path. A `{field}` segment of the
// path names a body field; matching prefers literal segments over `{field}` ones, so
// GET /v1/orders/held never reaches GET /v1/orders/{order_no}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/ops.h"

namespace credo::net {

// The prefix every op route lives under.
inline constexpr std::string_view kHttpApiPrefix = "/v1";

// How a value from the path or the query string is written into the JSON the parser reads:
// integers and booleans raw when they look like one (otherwise as a string, so the parser says
// what a wrong type says over TCP), everything else as a JSON string.
enum class ParamType : uint8_t { string, integer, boolean };

struct RouteMatch {
  enum class Kind : uint8_t { found, not_found, wrong_method };
  Kind kind = Kind::not_found;
  OpId op = 0;
  // found: the `{field}` segments, percent-decoded, in path order.
  std::vector<std::pair<std::string_view, std::string>> params;
  std::string allow;  // wrong_method: the methods the path has ("GET, PUT")
};

// One op's route, split into segments ("orders", "{order_no}", "cancel").
struct HttpRoute {
  OpId op = 0;
  std::string_view method;
  std::string_view path;  // as declared, without the prefix
  std::vector<std::string_view> segments;
};

// The routes of every routed op, in op table order.
const std::vector<HttpRoute>& http_routes();

// Matches `path` (after kHttpApiPrefix, without the query string) and `method`.
RouteMatch match_route(std::string_view method, std::string_view path);

// The type of field `name` of op `op`'s body (the flat fields: submit_order's are the order's).
// Unknown names are `string` (the parser refuses them by name).
ParamType param_type(OpId op, std::string_view name);

// The names of op `op`'s flat body fields, in declaration order, and whether each is required.
struct FieldInfo {
  std::string_view name;
  ParamType type;
  bool required;
  std::string_view kind;  // "key", "text", "integer", "date", "time", "bool", "enum", "list", ...
  std::string_view allowed;  // enum: "A, B, C"
};
const std::vector<FieldInfo>& op_fields(OpId op);

// Percent-decodes `in` ('+' is a space when `plus_is_space`, as in a query string). False on a
// malformed escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

}  // namespace credo::net

#include "net/http_request.h"

#include <simdjson.h>

#include "net/json_writer.h"

namespace credo::net {

namespace {

bool looks_integer(std::string_view v) {
  std::size_t i = (!v.empty() && v[0] == '-') ? 1 : 0;
  if (i >= v.size() || v.size() - i > 19) return false;
  for (; i < v.size(); ++i)
    if (v[i] < '0' || v[i] > '9') return false;
  return true;
}

void append_member(std::string& out, OpId op, std::string_view name, std::string_view value) {
  out.push_back(',');
  append_json_string(out, name);
  out.push_back(':');
  // The envelope's id is a string or an integer: an integer-looking one stays an integer.
  const ParamType type = name == "id" ? ParamType::integer : param_type(op, name);
  if ((type == ParamType::integer && looks_integer(value)) ||
      (type == ParamType::boolean && (value == "true" || value == "false")))
    out.append(value);
  else
    append_json_string(out, value);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                        s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Whether the JSON object `body` has a top-level member `name` (false when it is not valid JSON:
// the parser says so afterwards).
bool has_member(std::string_view body, std::string_view name) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(body.data(), body.size(), true).get(obj) != simdjson::SUCCESS) return false;
  simdjson::dom::element ignored;
  return obj.at_key(name).get(ignored) == simdjson::SUCCESS;
}

}  // namespace

bool build_request_line(const RouteMatch& route, std::string_view query, std::string_view body,
                        std::string_view idempotency_key, std::string& out, Error& err) {
  out.clear();
  out.append("{\"op\":");
  append_json_string(out, kOps[route.op].name);
  for (const auto& [name, value] : route.params) append_member(out, route.op, name, value);
  std::string name, value;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    if (!percent_decode(pair.substr(0, eq), name, true) ||
        !percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1),
                        value, true)) {
      err = Error{ErrorCode::BAD_REQUEST, "malformed percent-escape in the query string", "", {}};
      return false;
    }
    append_member(out, route.op, name, value);
  }
  body = trim(body);
  if (!idempotency_key.empty() && kOps[route.op].name == "submit_order" &&
      !has_member(body.empty() ? std::string_view("{}") : body, "client_order_id"))
    append_member(out, route.op, "client_order_id", idempotency_key);
  if (body.empty()) {
    out.push_back('}');
    return true;
  }
  if (body.front() != '{') {
    err = Error{ErrorCode::BAD_JSON, "not a valid JSON object: the body must be a JSON object", "",
                {}};
    return false;
  }
  body.remove_prefix(1);
  if (!trim(body).starts_with('}')) out.push_back(',');
  out.append(body);
  return true;
}

}  // namespace credo::net

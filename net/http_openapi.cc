#include "net/http_openapi.h"

#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/fields.h"
#include "engine/ops.h"
#include "net/http_routes.h"
#include "net/json_writer.h"

namespace credo::net {

namespace {

template <typename K>
struct ListItem {
  static constexpr bool is_list = false;
};
template <typename I>
struct ListItem<fields::ListKind<I>> {
  static constexpr bool is_list = true;
  using type = I;
};

// A JSON text under construction, with commas placed by the caller's `first` flags.
void key(std::string& out, std::string_view k) {
  append_json_string(out, k);
  out.push_back(':');
}
void str(std::string& out, std::string_view s) {
  append_json_string(out, s);
}
void comma(std::string& out, bool& first) {
  if (!first) out.push_back(',');
  first = false;
}

// Example values: the demo world's names where a name is known (docs/demo.md), a plain value of
// the right kind otherwise.
std::string_view example_key(std::string_view field) {
  if (field == "customer") return "C1001";
  if (field == "sku") return "BOLT-M8";
  if (field == "client_order_id") return "PO-1001";
  if (field == "payment_ref") return "PAY-1";
  if (field == "cursor") return "C1001";
  return "EX-1";
}

// Lists' items: no fields skipped, no envelope id.
const std::vector<std::string_view> kNoSkip;

template <typename S>
void write_object_schema(std::string& out, const std::vector<std::string_view>& skip);
template <typename S>
void write_object_example(std::string& out, const std::vector<std::string_view>& skip);

template <typename K>
void write_kind_schema(std::string& out, const K& kind) {
  using namespace fields;
  if constexpr (std::is_same_v<K, KeyKind>) {
    out.append(R"J({"type":"string","minLength":1,"maxLength":)J");
    append_uint(out, kMaxKeyLen);
    out.append(R"J(,"pattern":"^[!-~]+$"})J");
  } else if constexpr (std::is_same_v<K, TextKind>) {
    out.append(R"J({"type":"string","maxLength":)J");
    append_uint(out, kind.max_len);
    out.push_back('}');
  } else if constexpr (std::is_same_v<K, IntKind>) {
    out.append(R"J({"type":"integer","format":"int64","minimum":)J");
    append_int(out, kind.range.lo);
    out.append(R"J(,"maximum":)J");
    append_int(out, kind.range.hi);
    out.push_back('}');
  } else if constexpr (std::is_same_v<K, DateKind>) {
    out.append(R"J({"type":"string","format":"date"})J");
  } else if constexpr (std::is_same_v<K, TimeKind>) {
    out.append(R"J({"type":"string","format":"date-time"})J");
  } else if constexpr (std::is_same_v<K, BoolKind>) {
    out.append(R"J({"type":"boolean"})J");
  } else if constexpr (std::is_same_v<K, LevelsKind>) {
    out.append(R"J({"type":"array","items":{"type":"integer","minimum":)J");
    append_int(out, kind.range.lo);
    out.append(R"J(,"maximum":)J");
    append_int(out, kind.range.hi);
    out.append(R"J(},"minItems":)J");
    append_uint(out, kLevelCount);
    out.append(R"J(,"maxItems":)J");
    append_uint(out, kLevelCount);
    out.push_back('}');
  } else if constexpr (std::is_same_v<K, ReasonSetKind>) {
    out.append(R"J({"type":"array","items":{"type":"string"},"minItems":1})J");
  } else if constexpr (std::is_same_v<K, ReasonLevelsKind>) {
    out.append(R"J({"type":"object","additionalProperties":{"type":"integer","minimum":0,"maximum":)J");
    append_uint(out, kMaxLevel);
    out.append("}}");
  } else if constexpr (requires { kind.allowed; kind.max; }) {  // EnumKind
    out.append(R"J({"type":"string","enum":[)J");
    std::string_view rest = kind.allowed;
    bool first = true;
    while (!rest.empty()) {
      std::size_t c = rest.find(", ");
      comma(out, first);
      str(out, rest.substr(0, c));
      rest = c == std::string_view::npos ? std::string_view{} : rest.substr(c + 2);
    }
    out.append("]}");
  } else if constexpr (ListItem<K>::is_list) {
    using Item = typename ListItem<K>::type;
    out.append(R"J({"type":"array","items":)J");
    write_object_schema<Item>(out, kNoSkip);
    out.append(R"J(,"minItems":)J");
    append_uint(out, kind.min_count);
    out.append(R"J(,"maxItems":)J");
    append_uint(out, kind.max_count);
    out.push_back('}');
  } else {
    static_assert(std::is_same_v<K, InlineKind>, "a field kind without a schema");
    out.append(R"J({"type":"object"})J");
  }
}

template <typename K>
void write_kind_example(std::string& out, const K& kind, std::string_view name) {
  using namespace fields;
  if constexpr (std::is_same_v<K, KeyKind>) {
    str(out, example_key(name));
  } else if constexpr (std::is_same_v<K, TextKind>) {
    str(out, name == "status" ? "held" : "example");
  } else if constexpr (std::is_same_v<K, IntKind>) {
    // unit_price: between BOLT-M8's floor (10.00) and its list price (12.50) in the demo.
    int64_t v = name == "order_no"     ? 100001
                : name == "qty"        ? 10
                : name == "unit_price" ? 1200
                                       : 1;
    append_int(out, kind.range.contains(v) ? v : kind.range.lo);
  } else if constexpr (std::is_same_v<K, DateKind>) {
    // `to` far ahead: a price agreement that has already ended is refused.
    str(out, name == "to" ? "2030-12-31" : "2026-01-15");
  } else if constexpr (std::is_same_v<K, TimeKind>) {
    str(out, "2026-01-02T00:00:00Z");
  } else if constexpr (std::is_same_v<K, BoolKind>) {
    out.append("false");
  } else if constexpr (std::is_same_v<K, LevelsKind>) {
    out.push_back('[');
    for (std::size_t i = 0; i < kLevelCount; ++i) {
      if (i) out.push_back(',');
      append_int(out, kind.range.lo);
    }
    out.push_back(']');
  } else if constexpr (std::is_same_v<K, ReasonSetKind>) {
    out.append(R"J(["CREDIT_LIMIT"])J");
  } else if constexpr (requires { kind.allowed; kind.max; }) {
    str(out, kind.allowed.substr(0, kind.allowed.find(", ")));
  } else if constexpr (ListItem<K>::is_list) {
    using Item = typename ListItem<K>::type;
    out.push_back('[');
    write_object_example<Item>(out, kNoSkip);
    out.push_back(']');
  } else {
    out.append("{}");  // ReasonLevelsKind (no level changed), InlineKind
  }
}

// Where the smallest well-formed body is not a request the demo world takes (a field needed in
// combination, a line that must be on the example order), the example is written out.
std::string_view example_override(std::string_view op) {
  if (op == "set_credit") return R"J({"credit_limit":60000000,"reason":"annual review"})J";
  if (op == "return_goods")
    return R"J({"lines":[{"sku":"CABLE-3G15","qty":1}],"restock":true,"reason":"damaged"})J";
  if (op == "request_return")
    return R"J({"lines":[{"sku":"CABLE-3G15","qty":1}],"reason":"damaged"})J";
  return {};
}

bool skipped(const std::vector<std::string_view>& skip, std::string_view name) {
  for (std::string_view s : skip)
    if (s == name) return true;
  return false;
}

template <typename S>
void write_object_schema(std::string& out, const std::vector<std::string_view>& skip) {
  using Flat = fields::Flat<S>;
  out.append(R"J({"type":"object","additionalProperties":false,"properties":{)J");
  bool first = true;
  std::vector<std::string_view> required;
  fields::for_each_field<Flat>([&](const auto& f) {
    if (skipped(skip, f.name)) return;
    comma(out, first);
    key(out, f.name);
    write_kind_schema(out, f.kind);
    if (f.required()) required.push_back(f.name);
  });
  if (&skip != &kNoSkip) {  // a request body (not a list item) may carry the envelope's id
    comma(out, first);
    out.append(R"J("id":{"description":"echoed in the response","oneOf":[{"type":"string"},{"type":"integer"}]})J");
  }
  out.push_back('}');
  if (!required.empty()) {
    out.append(R"J(,"required":[)J");
    bool f2 = true;
    for (std::string_view r : required) {
      comma(out, f2);
      str(out, r);
    }
    out.push_back(']');
  }
  out.push_back('}');
}

// Required fields only (and the lines of a list): the smallest request that is well formed.
template <typename S>
void write_object_example(std::string& out, const std::vector<std::string_view>& skip) {
  using Flat = fields::Flat<S>;
  out.push_back('{');
  bool first = true;
  fields::for_each_field<Flat>([&](const auto& f) {
    if (skipped(skip, f.name) || !f.required()) return;
    comma(out, first);
    key(out, f.name);
    write_kind_example(out, f.kind, f.name);
  });
  out.push_back('}');
}

// One op's kind-specific pieces, reached by OpId.
struct OpWriters {
  void (*schema)(std::string&, const std::vector<std::string_view>&);
  void (*example)(std::string&, const std::vector<std::string_view>&);
  // One field's schema / example by name (for path and query parameters); false if none.
  bool (*field_schema)(std::string&, std::string_view);
  bool (*field_example)(std::string&, std::string_view);
};

template <typename S>
bool field_schema(std::string& out, std::string_view name) {
  bool found = false;
  fields::for_each_field<fields::Flat<S>>([&](const auto& f) {
    if (f.name != name || found) return;
    write_kind_schema(out, f.kind);
    found = true;
  });
  return found;
}
template <typename S>
bool field_example(std::string& out, std::string_view name) {
  bool found = false;
  fields::for_each_field<fields::Flat<S>>([&](const auto& f) {
    if (f.name != name || found) return;
    write_kind_example(out, f.kind, f.name);
    found = true;
  });
  return found;
}

template <typename V>
struct Writers;
template <typename... Bs>
struct Writers<std::variant<Bs...>> {
  static void to(std::vector<OpWriters>& all) {
    (all.push_back(OpWriters{&write_object_schema<Bs>, &write_object_example<Bs>,
                             &field_schema<Bs>, &field_example<Bs>}),
     ...);
  }
};

const std::vector<OpWriters>& writers() {
  static const std::vector<OpWriters> all = [] {
    std::vector<OpWriters> w;
    Writers<CommandBody>::to(w);
    Writers<QueryBody>::to(w);
    Writers<ServerBody>::to(w);
    return w;
  }();
  return all;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view access_text(const OpInfo& op) {
  switch (op.access) {
    case Access::open:
      return "open to anyone";
    case Access::authenticated:
      return "any key";
    case Access::role:
      return "a key with the role named in docs/protocol.md";
    case Access::own_order:
      return "the key that submitted the order (or admin)";
    case Access::approver:
      return "a key with the order or the credit role, at the level the hold needs";
  }
  return "";
}

void write_responses(std::string& out, bool open) {
  out.append(R"J("responses":{"200":{"description":"the protocol's response object (a decided order is 200 whatever its status)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Response"}}}})J");
  struct R {
    const char* status;
    const char* what;
  };
  static constexpr R kErrors[] = {
      {"400", "BAD_JSON or BAD_REQUEST"},
      {"401", "UNAUTHENTICATED: no key, or an unknown one"},
      {"403", "FORBIDDEN: the key's role or level does not allow it"},
      {"404", "NOT_FOUND"},
      {"405", "the path exists with another method (see Allow)"},
      {"409", "INVALID_STATE or DUPLICATE"},
      {"413", "LINE_TOO_LONG: the body is over --max-line"},
      {"500", "INTERNAL"},
      {"503", "OVERLOADED (see Retry-After)"},
  };
  for (const R& r : kErrors) {
    if (open && (std::string_view(r.status) == "401" || std::string_view(r.status) == "403"))
      continue;
    out.push_back(',');
    key(out, r.status);
    out.append(R"J({"description":)J");
    str(out, r.what);
    out.append(R"J(,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/ErrorResponse"}}}})J");
  }
  out.push_back('}');
}

void write_operation(std::string& out, const HttpRoute& route) {
  const OpInfo& op = kOps[route.op];
  const OpWriters& w = writers()[route.op];
  const bool get = route.method == "GET";
  std::vector<std::string_view> path_params;
  for (std::string_view seg : route.segments)
    if (seg.size() > 2 && seg.front() == '{') path_params.push_back(seg.substr(1, seg.size() - 2));

  out.push_back('{');
  key(out, "operationId");
  str(out, op.name);
  out.push_back(',');
  key(out, "summary");
  str(out, std::string(op.name) + " (docs/protocol.md); who may: " + std::string(access_text(op)));
  out.push_back(',');
  key(out, "tags");
  out.push_back('[');
  str(out, op.cls == OpClass::command ? "commands" : op.cls == OpClass::query ? "queries" : "server");
  out.push_back(']');
  if (op.access == Access::open) out.append(R"J(,"security":[])J");
  out.append(R"J(,"parameters":[)J");
  bool first = true;
  auto param = [&](std::string_view name, std::string_view in, bool required, bool with_example) {
    comma(out, first);
    out.append(R"J({"name":)J");
    str(out, name);
    out.append(R"J(,"in":)J");
    str(out, in);
    out.append(R"J(,"required":)J");
    out.append(required ? "true" : "false");
    out.append(R"J(,"schema":)J");
    if (!w.field_schema(out, name)) out.append(R"J({"type":"string"})J");
    if (with_example) {
      out.append(R"J(,"example":)J");
      if (!w.field_example(out, name)) str(out, example_key(name));
    }
    out.push_back('}');
  };
  for (std::string_view p : path_params) param(p, "path", true, true);
  if (get) {
    for (const FieldInfo& f : op_fields(route.op))
      if (!skipped(path_params, f.name)) param(f.name, "query", f.required, f.required);
  }
  if (op.name == "submit_order") {
    comma(out, first);
    out.append(R"J({"name":"Idempotency-Key","in":"header","required":false,"description":"the order's client_order_id when the body has none","schema":{"type":"string"}})J");
  }
  out.push_back(']');
  if (!get) {
    out.append(R"J(,"requestBody":{"required":)J");
    bool any_required = false;
    for (const FieldInfo& f : op_fields(route.op))
      if (f.required && !skipped(path_params, f.name)) any_required = true;
    out.append(any_required ? "true" : "false");
    out.append(R"J(,"content":{"application/json":{"schema":)J");
    w.schema(out, path_params);
    out.append(R"J(,"example":)J");
    if (const std::string_view fixed = example_override(op.name); !fixed.empty())
      out.append(fixed);
    else
      w.example(out, path_params);
    out.append("}}}");
  }
  out.push_back(',');
  write_responses(out, op.access == Access::open);
  out.push_back('}');
}

std::string build() {
  std::string out;
  out.append(R"J({"openapi":"3.0.3","info":{"title":"credo","version":"1","description":"credo's HTTP/1.1 edge: every op of the NDJSON protocol (docs/protocol.md) as a route under /v1, with the same fields, validation and error objects; see docs/http.md. Generated from engine/ops.h and engine/fields.h."},)J");
  out.append(R"J("servers":[{"url":"http://127.0.0.1:7480"}],"security":[{"bearer":[]}],"paths":{)J");
  // Paths in first-declared order, each with its methods.
  const auto& routes = http_routes();
  std::vector<std::string_view> paths;
  for (const HttpRoute& r : routes)
    if (!skipped(paths, r.path)) paths.push_back(r.path);
  bool first_path = true;
  for (std::string_view p : paths) {
    comma(out, first_path);
    key(out, std::string(kHttpApiPrefix) + std::string(p));
    out.push_back('{');
    bool first_method = true;
    for (const HttpRoute& r : routes) {
      if (r.path != p) continue;
      comma(out, first_method);
      key(out, lower(r.method));
      write_operation(out, r);
    }
    out.push_back('}');
  }
  out.append(R"J(,"/healthz":{"get":{"operationId":"healthz","summary":"the process serves","security":[],"responses":{"200":{"description":"serving","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Health"}}}}}}})J");
  out.append(R"J(,"/readyz":{"get":{"operationId":"readyz","summary":"recovered, journal healthy, accepting changes","security":[],"responses":{"200":{"description":"ready","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Health"}}}},"503":{"description":"not ready: the reason says why (the journal has failed, shutting down)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Health"}}}}}}})J");
  out.append(R"J(},"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer","description":"an API key of the keys file (docs/protocol.md)"}},"schemas":{)J");
  out.append(R"J("Response":{"type":"object","required":["ok"],"properties":{"id":{"oneOf":[{"type":"string"},{"type":"integer"}]},"ok":{"type":"boolean"}},"additionalProperties":true},)J");
  out.append(R"J("ErrorResponse":{"type":"object","required":["ok","error"],"properties":{"id":{"oneOf":[{"type":"string"},{"type":"integer"}]},"ok":{"type":"boolean","enum":[false]},"error":{"type":"object","required":["code","message"],"properties":{"code":{"type":"string","enum":["BAD_JSON","BAD_REQUEST","UNKNOWN_OP","UNAUTHENTICATED","FORBIDDEN","NOT_FOUND","INVALID_STATE","DUPLICATE","LINE_TOO_LONG","OVERLOADED","INTERNAL"]},"message":{"type":"string"},"field":{"type":"string"}},"additionalProperties":true}}},)J");
  out.append(R"J("Health":{"type":"object","required":["ok"],"properties":{"ok":{"type":"boolean"},"reason":{"type":"string"}}})J");
  out.append("}}}\n");
  return out;
}

}  // namespace

const std::string& openapi_document() {
  static const std::string doc = build();
  return doc;
}

}  // namespace credo::net

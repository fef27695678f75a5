#include "net/http_routes.h"

#include <array>
#include <type_traits>
#include <variant>

#include "engine/fields.h"

namespace credo::net {

namespace {

template <typename K>
struct KindName {
  static constexpr std::string_view name = "object";
  static constexpr ParamType type = ParamType::string;
};
template <>
struct KindName<fields::KeyKind> {
  static constexpr std::string_view name = "key";
  static constexpr ParamType type = ParamType::string;
};
template <>
struct KindName<fields::TextKind> {
  static constexpr std::string_view name = "text";
  static constexpr ParamType type = ParamType::string;
};
template <>
struct KindName<fields::IntKind> {
  static constexpr std::string_view name = "integer";
  static constexpr ParamType type = ParamType::integer;
};
template <>
struct KindName<fields::DateKind> {
  static constexpr std::string_view name = "date";
  static constexpr ParamType type = ParamType::string;
};
template <>
struct KindName<fields::TimeKind> {
  static constexpr std::string_view name = "time";
  static constexpr ParamType type = ParamType::string;
};
template <>
struct KindName<fields::BoolKind> {
  static constexpr std::string_view name = "bool";
  static constexpr ParamType type = ParamType::boolean;
};
template <typename E>
struct KindName<fields::EnumKind<E>> {
  static constexpr std::string_view name = "enum";
  static constexpr ParamType type = ParamType::string;
};
template <typename I>
struct KindName<fields::ListKind<I>> {
  static constexpr std::string_view name = "list";
  static constexpr ParamType type = ParamType::string;
};
template <>
struct KindName<fields::LevelsKind> {
  static constexpr std::string_view name = "levels";
  static constexpr ParamType type = ParamType::string;
};
template <>
struct KindName<fields::ReasonSetKind> {
  static constexpr std::string_view name = "reasons";
  static constexpr ParamType type = ParamType::string;
};
template <>
struct KindName<fields::ReasonLevelsKind> {
  static constexpr std::string_view name = "reason_levels";
  static constexpr ParamType type = ParamType::string;
};

template <typename Body>
std::vector<FieldInfo> fields_of() {
  using Flat = fields::Flat<Body>;
  std::vector<FieldInfo> out;
  fields::for_each_field<Flat>([&](const auto& f) {
    using K = typename std::decay_t<decltype(f)>::Kind;
    FieldInfo info{f.name, KindName<K>::type, f.required(), KindName<K>::name, {}};
    if constexpr (requires { f.kind.allowed; }) info.allowed = f.kind.allowed;
    out.push_back(info);
  });
  return out;
}

template <typename V>
struct AppendFields;
template <typename... Bs>
struct AppendFields<std::variant<Bs...>> {
  static void to(std::vector<std::vector<FieldInfo>>& all) { (all.push_back(fields_of<Bs>()), ...); }
};

std::vector<std::vector<FieldInfo>> build_fields() {
  std::vector<std::vector<FieldInfo>> all;
  AppendFields<CommandBody>::to(all);
  AppendFields<QueryBody>::to(all);
  AppendFields<ServerBody>::to(all);
  return all;  // indexed by OpId: commands, queries, server ops, as kOps
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

const std::vector<HttpRoute>& http_routes() {
  static const std::vector<HttpRoute> routes = [] {
    std::vector<HttpRoute> r;
    for (std::size_t i = 0; i < kOpCount; ++i) {
      if (kOps[i].http_path.empty()) continue;
      r.push_back(HttpRoute{static_cast<OpId>(i), kOps[i].http_method, kOps[i].http_path,
                            split_path(kOps[i].http_path)});
    }
    return r;
  }();
  return routes;
}

const std::vector<FieldInfo>& op_fields(OpId op) {
  static const std::vector<std::vector<FieldInfo>> all = build_fields();
  return all[op];
}

ParamType param_type(OpId op, std::string_view name) {
  for (const FieldInfo& f : op_fields(op))
    if (f.name == name) return f.type;
  return ParamType::string;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

RouteMatch match_route(std::string_view method, std::string_view path) {
  RouteMatch m;
  const std::vector<std::string_view> segs = split_path(path);
  // The best route for the path: most literal segments matched wins (a literal beats a
  // `{field}` at the same place); among those, the one with the request's method.
  const HttpRoute* best = nullptr;
  int best_literals = -1;
  for (const HttpRoute& r : http_routes()) {
    if (r.segments.size() != segs.size()) continue;
    int literals = 0;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      if (is_param(r.segments[i]))
        ok = !segs[i].empty();
      else if (r.segments[i] == segs[i])
        literals++;
      else
        ok = false;
    }
    if (!ok || literals < best_literals) continue;
    if (literals > best_literals) {
      m.allow.clear();
      best = nullptr;
      best_literals = literals;
    }
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += r.method;
    if (r.method == method) best = &r;
  }
  if (best_literals < 0) {
    m.kind = RouteMatch::Kind::not_found;
    m.allow.clear();
    return m;
  }
  if (best == nullptr) {
    m.kind = RouteMatch::Kind::wrong_method;
    return m;
  }
  m.kind = RouteMatch::Kind::found;
  m.op = best->op;
  m.allow.clear();
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (!is_param(best->segments[i])) continue;
    std::string value;
    if (!percent_decode(segs[i], value, false)) value.assign(segs[i]);  // the parser refuses it
    m.params.emplace_back(best->segments[i].substr(1, best->segments[i].size() - 2),
                          std::move(value));
  }
  return m;
}

}  // namespace credo::net

#include "net/json_validation.h"

#include <string_view>
#include <utility>

namespace credo::net {

namespace od = simdjson::ondemand;

namespace {
// Nesting deeper than this is refused (no request nests past 4).
constexpr int kMaxValidateDepth = 256;
}  // namespace

// Recursive by design; the depth is bounded by kMaxValidateDepth.
bool json_value_valid(od::value v, int depth) {  // NOLINT(misc-no-recursion)
  if (depth > kMaxValidateDepth) return false;
  od::json_type t{};
  if (v.type().get(t)) return false;
  switch (t) {
    case od::json_type::object: {
      od::object o;
      if (v.get_object().get(o)) return false;
      for (auto fr : o) {
        od::field f;
        if (std::move(fr).get(f)) return false;
        std::string_view key;
        if (f.unescaped_key().get(key)) return false;
        if (!json_value_valid(f.value(), depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::array: {
      od::array a;
      if (v.get_array().get(a)) return false;
      for (auto er : a) {
        od::value ev;
        if (std::move(er).get(ev)) return false;
        if (!json_value_valid(ev, depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view s;
      return !v.get_string().get(s);
    }
    case od::json_type::number: {
      double d;
      return !v.get_double().get(d);
    }
    case od::json_type::boolean: {
      bool b;
      return !v.get_bool().get(b);
    }
    case od::json_type::null: {
      bool is_null = false;
      return !v.is_null().get(is_null) && is_null;
    }
  }
  return false;
}

}  // namespace credo::net

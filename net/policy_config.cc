#include "net/policy_config.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <type_traits>

#include "engine/fields.h"

namespace credo::net {

namespace {

bool read_int(simdjson::dom::element v, int64_t lo, int64_t hi, int64_t* out) {
  return !v.get_int64().get(*out) && *out >= lo && *out <= hi;
}

// "approve_total_max_minor, discount_max_bp, ...": the members a config may have.
std::string known_members() {
  std::string names;
  fields::for_each_field<Policy>([&](const auto& f) {
    if (!names.empty()) names.append(", ");
    names.append(f.name);
  });
  return names;
}

}  // namespace

// The members, their kinds and ranges come from FieldsOf<Policy> (engine/fields.h): the same
// as the set_policy op's, so a config never says what the protocol would refuse. One addition:
// in an unbounded per-level array (approve_total_max_minor) null means "no limit".
bool load_policy_file(const std::string& path, Policy* policy, std::string* error) {
  simdjson::dom::parser parser;
  simdjson::dom::object doc;
  if (auto err = parser.load(path).get(doc)) {
    *error = fmt::format("config {}: not a JSON object ({})", path, simdjson::error_message(err));
    return false;
  }
  Policy p = *policy;
  for (auto [key, value] : doc) {
    // `key` captured by name: clang (before 16) cannot capture a structured binding.
    auto bad = [&, key = key](std::string_view what) {
      *error = fmt::format("config {}: \"{}\" must be {}", path, key, what);
      return false;
    };
    bool known = false;
    bool ok = true;
    fields::for_each_field<Policy>([&, key = key, value = value](const auto& f) {
      if (known || f.name != key) return;
      known = true;
      auto& member = p.*f.member;
      using K = typename std::decay_t<decltype(f)>::Kind;
      if constexpr (std::is_same_v<K, fields::BoolKind>) {
        if (value.get_bool().get(member)) ok = bad("true or false");
      } else if constexpr (std::is_same_v<K, fields::LevelsKind>) {
        const Range range = f.kind.range;
        const bool nullable = range.hi == kMoneyMax;
        simdjson::dom::array arr;
        if (value.get_array().get(arr) || arr.size() != kLevelCount) {
          ok = bad(fmt::format("an array of {} values, one per approval level 0..{}", kLevelCount,
                               kMaxLevel));
          return;
        }
        std::size_t level = 0;
        for (simdjson::dom::element e : arr) {
          int64_t v = 0;
          if (nullable && e.is_null()) {
            v = range.hi;
          } else if (!read_int(e, range.lo, range.hi, &v)) {
            ok = bad(nullable ? std::string("non-negative integers or null")
                              : fmt::format("integers {}..{} (basis points)", range.lo, range.hi));
            return;
          }
          member[level++] = static_cast<std::decay_t<decltype(member[0])>>(v);
        }
      } else {
        const Range range = f.kind.range;
        int64_t v = 0;
        if (!read_int(value, range.lo, range.hi, &v)) {
          ok = bad(fmt::format("an integer {}..{}", range.lo, range.hi));
          return;
        }
        member = static_cast<std::decay_t<decltype(member)>>(v);
      }
    });
    if (!known) {
      *error =
          fmt::format("config {}: unknown member \"{}\" (known: {})", path, key, known_members());
      return false;
    }
    if (!ok) return false;
  }
  *policy = p;
  return true;
}

}  // namespace credo::net

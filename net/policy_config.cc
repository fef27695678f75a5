#include "net/policy_config.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace credo::net {

namespace {

bool read_int(simdjson::dom::element v, int64_t lo, int64_t hi, int64_t* out) {
  return !v.get_int64().get(*out) && *out >= lo && *out <= hi;
}

}  // namespace

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
    if (key == "approve_total_max_minor" || key == "discount_max_bp") {
      simdjson::dom::array arr;
      if (value.get_array().get(arr) || arr.size() != kMaxLevel + 1)
        return bad("an array of 4 values, one per approval level 0..3");
      std::size_t level = 0;
      for (simdjson::dom::element e : arr) {
        int64_t v = 0;
        if (key == "approve_total_max_minor") {
          if (e.is_null())
            v = kMoneyMax;
          else if (!read_int(e, 0, kMoneyMax, &v))
            return bad("non-negative integers or null");
          p.approve_total_max_minor[level] = v;
        } else {
          if (!read_int(e, 0, 10'000, &v)) return bad("integers 0..10000 (basis points)");
          p.discount_max_bp[level] = static_cast<int32_t>(v);
        }
        level++;
      }
      continue;
    }
    // Same ranges as the set_policy op (net/request_parser.cc), so a config never says what the
    // protocol would refuse.
    struct Member {
      std::string_view name;
      int32_t* field;
      int64_t lo, hi;
    };
    const Member members[] = {{"hold_ttl_hours", &p.hold_ttl_hours, 1, int64_t{24} * 3650},
                              {"order_ttl_days", &p.order_ttl_days, 1, 3650},
                              {"overdue_hold_days", &p.overdue_hold_days, 0, 3650},
                              {"suspend_after_days", &p.suspend_after_days, 0, 3650}};
    const Member* m = nullptr;
    for (const Member& candidate : members)
      if (candidate.name == key) m = &candidate;
    if (m == nullptr) {
      *error = fmt::format(
          "config {}: unknown member \"{}\" (known: approve_total_max_minor, discount_max_bp, "
          "hold_ttl_hours, order_ttl_days, overdue_hold_days, suspend_after_days)",
          path, key);
      return false;
    }
    int64_t v = 0;
    if (!read_int(value, m->lo, m->hi, &v))
      return bad(fmt::format("an integer {}..{}", m->lo, m->hi));
    int32_t* field = m->field;
    *field = static_cast<int32_t>(v);
  }
  *policy = p;
  return true;
}

}  // namespace credo::net

#include "edi/control_state.h"

#include <simdjson.h>

#include "edi/purchase_order.h"

namespace credo::edi {

uint64_t ControlState::take(const std::string& partner) {
  uint64_t& n = last[partner];
  n = n >= 999'999'999 ? 1 : n + 1;
  return n;
}

std::string ControlState::to_json() const {
  std::string j = "{\"control_numbers\":{";
  bool first = true;
  for (const auto& [k, v] : last) {
    if (!first) j += ',';
    first = false;
    json_string(&j, k);
    j += ':' + std::to_string(v);
  }
  j += "}}\n";
  return j;
}

std::optional<ControlState> parse_control_state(std::string_view json, std::string* error) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::object numbers;
  if (parser.parse(padded)["control_numbers"].get_object().get(numbers) != simdjson::SUCCESS) {
    *error = "control number state: needs {\"control_numbers\":{...}}";
    return std::nullopt;
  }
  ControlState s;
  for (auto [k, v] : numbers) {
    uint64_t n = 0;
    if (v.get_uint64().get(n) != simdjson::SUCCESS || n > 999'999'999) {
      *error = "control number state: \"" + std::string(k) + "\" must be 0..999999999";
      return std::nullopt;
    }
    s.last[std::string(k)] = n;
  }
  return s;
}

}  // namespace credo::edi

// What credo-loadgen concludes from a run beyond its numbers, and the one JSON string escaper its
// --json report uses. The load generator links no credo library (its client cost is its own), so
// it cannot use net/json_writer.h's escaper; this one follows the same rules (RFC 8259).
#pragma once

#include <string>
#include <string_view>

#include "tools/loadgen/driver.h"

namespace credo::loadgen {

// `s` as the inside of a JSON string: '"' and '\\' escaped, control characters (< 0x20) as
// \u00XX (\n, \t ... included), every other byte as it is (UTF-8 passes through).
std::string json_escape(std::string_view s);

// A run whose answers are nearly all refusals measured the server's error path, not its order
// path: typically the dataset was never created (no --setup), so every customer and sku is
// unknown. Above this share the load generator warns and exits non-zero.
inline constexpr double kRefusedShareMax = 0.90;

// Rejected orders and error answers (batch items included) over every order decided plus every
// error answer, 0..1; 0 for a run with neither.
double refused_share(const RunResult& r);

}  // namespace credo::loadgen

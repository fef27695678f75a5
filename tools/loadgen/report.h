// What credo-loadgen concludes from a run beyond its numbers.
#pragma once

#include <string>
#include <string_view>

#include "tools/loadgen/driver.h"

namespace credo::loadgen {

// A run whose answers are nearly all refusals measured the server's error path, not its order
// path: typically the dataset was never created (no --setup), so every customer and sku is
// unknown. Above this share the load generator warns and exits non-zero.
inline constexpr double kRefusedShareMax = 0.90;

// Rejected orders and error answers (batch items included) over every order decided plus every
// error answer, 0..1; 0 for a run with neither.
double refused_share(const RunResult& r);

// Adds a thread's counts and histograms to *into.
void merge(RunResult* into, const RunResult& r);

}  // namespace credo::loadgen

#include "tools/loadgen/report.h"

namespace credo::loadgen {

double refused_share(const RunResult& r) {
  const uint64_t outcomes = r.orders + r.errors;
  if (outcomes == 0) return 0;
  return static_cast<double>(r.rejected + r.errors) / static_cast<double>(outcomes);
}

}  // namespace credo::loadgen

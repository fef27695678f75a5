#include "tools/loadgen/report.h"

namespace credo::loadgen {

double refused_share(const RunResult& r) {
  const uint64_t outcomes = r.orders + r.errors;
  if (outcomes == 0) return 0;
  return static_cast<double>(r.rejected + r.errors) / static_cast<double>(outcomes);
}

void merge(RunResult* into, const RunResult& r) {
  into->latency.merge(r.latency);
  for (int k = 0; k < kOpKinds; k++) {
    into->latency_by_kind[k].merge(r.latency_by_kind[k]);
    into->requests_by_kind[k] += r.requests_by_kind[k];
  }
  into->requests += r.requests;
  into->orders += r.orders;
  into->accepted += r.accepted;
  into->held += r.held;
  into->rejected += r.rejected;
  into->errors += r.errors;
  for (const auto& [code, n] : r.errors_by_code) into->errors_by_code[code] += n;
  into->protocol_errors += r.protocol_errors;
  into->unanswered += r.unanswered;
  into->ships_substituted += r.ships_substituted;
}

}  // namespace credo::loadgen

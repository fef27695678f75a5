#include "tools/loadgen/report.h"

namespace credo::loadgen {

std::string json_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

double refused_share(const RunResult& r) {
  const uint64_t outcomes = r.orders + r.errors;
  if (outcomes == 0) return 0;
  return static_cast<double>(r.rejected + r.errors) / static_cast<double>(outcomes);
}

}  // namespace credo::loadgen

// Control numbers of the acknowledgments we send, per partner: unique and increasing across
// runs. The tool keeps them in a small JSON state file, written atomically (write, fsync,
// rename) before the acknowledgments that use them. No I/O here: text in, text out.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace credo::edi {

struct ControlState {
  std::map<std::string, uint64_t> last;  // partner key -> last control number used (ISA13 and GS06)

  // The next control number for this partner (1..999,999,999, then wraps to 1).
  uint64_t take(const std::string& partner);
  std::string to_json() const;
};

std::optional<ControlState> parse_control_state(std::string_view json, std::string* error);

}  // namespace credo::edi

#include "tests/crash/tools.h"

namespace credo::test {

RunResult run_wal(const std::string& args, bool with_stderr) {
  return run_command(std::string(CREDO_WAL_BIN) + " " + args +
                     (with_stderr ? " 2>&1" : " 2>/dev/null"));
}

std::string wal_hash(const std::string& dir, long long at_seq, std::string* out) {
  std::string args = "hash '" + dir + "'";
  if (at_seq >= 0) args += " --at " + std::to_string(at_seq);
  RunResult r = run_wal(args, false);
  if (out) *out = r.out;
  if (r.exit_code != 0) return "";
  // {"seq":N,"hash":"<16 hex>"}
  auto at = r.out.find("\"hash\":\"");
  if (at == std::string::npos || at + 8 + 16 > r.out.size()) return "";
  return r.out.substr(at + 8, 16);
}

}  // namespace credo::test

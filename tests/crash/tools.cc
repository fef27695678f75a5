#include "tests/crash/tools.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

namespace credo::test {

DataDir::DataDir() {
  char tmpl[] = "/tmp/credo-crash-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return;
  }
  path_ = tmpl;
}

DataDir::~DataDir() {
  // Keep the directory for a post-mortem when asked (the path is in the failure message).
  if (std::getenv("CREDO_CRASH_KEEP") != nullptr) return;
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

RunResult run_wal(const std::string& args, bool with_stderr) {
  RunResult r;
  std::string cmd =
      std::string(CREDO_WAL_BIN) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
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

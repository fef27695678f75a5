// Helpers shared by the durability tests: data directories and running credo-wal.
#pragma once

#include <cstdlib>
#include <string>

#include "tests/common/run_command.h"
#include "tests/common/temp_dir.h"

namespace credo::test {

// A fresh data directory, removed on destruction unless CREDO_CRASH_KEEP is set (then kept for
// a post-mortem; the tests print its path).
class DataDir : public TempDir {
 public:
  DataDir() : TempDir("crash") {
    if (std::getenv("CREDO_CRASH_KEEP") != nullptr) keep();
  }
};

// Runs credo-wal with `args` (already shell-quoted where needed).
// with_stderr: stderr joins stdout in `out` (for failure messages); else it is discarded.
RunResult run_wal(const std::string& args, bool with_stderr);

// `credo-wal hash DIR [--at SEQ]`'s "hash" ("" on failure; *out gets the whole output).
std::string wal_hash(const std::string& dir, long long at_seq, std::string* out = nullptr);

}  // namespace credo::test

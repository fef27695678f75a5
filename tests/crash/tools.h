// Helpers shared by the durability tests: temporary data directories and running credo-wal.
#pragma once

#include <string>

namespace credo::test {

// A fresh directory under /tmp, removed with everything in it on destruction.
class DataDir {
 public:
  DataDir();
  ~DataDir();
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct RunResult {
  int exit_code = -1;  // -1: did not run or did not exit normally
  std::string out;     // stdout (and stderr when asked)
};

// Runs credo-wal with `args` (already shell-quoted where needed).
// with_stderr: stderr joins stdout in `out` (for failure messages); else it is discarded.
RunResult run_wal(const std::string& args, bool with_stderr);

// `credo-wal hash DIR [--at SEQ]`'s "hash" ("" on failure; *out gets the whole output).
std::string wal_hash(const std::string& dir, long long at_seq, std::string* out = nullptr);

}  // namespace credo::test

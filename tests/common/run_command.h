// Runs a shell command line to completion and captures its standard output (the tests of the
// command-line tools: credo-cli, credo-wal, credo-loadgen).
#pragma once

#include <string>

namespace credo::test {

struct RunResult {
  int exit_code = -1;  // -1: did not run or did not exit normally
  std::string out;     // what it wrote to stdout
};

// `command` goes to /bin/sh as is: quote arguments, and redirect stderr there if wanted
// ("2>&1" to capture it, "2>/dev/null" to drop it).
RunResult run_command(const std::string& command);

}  // namespace credo::test

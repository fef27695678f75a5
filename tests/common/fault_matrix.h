// The fault matrix: docs/reliability.md's table of every fault and bad input the suite tries,
// generated from what the tests observe instead of written by hand.
//
// A test that injects a fault (or sends bad input) and has asserted what happened records a row:
//
//   ASSERT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
//   test::record_fault("Engine", "an order line with quantity 0",
//                      "BAD_REQUEST: " + r.error.message + "; state unchanged");
//
// The row's "how tested" column is the running GoogleTest test ("binary: Suite.Name"). Rows go
// to one file per test under $CREDO_FAULT_MATRIX_DIR (default: <build>/fault-matrix), which
// credo-fault-matrix (fault_matrix_main.cc) renders into the document and checks it against.
// Because the document is compared with what the tests saw, `observed` must be deterministic:
// codes, messages and counts, never temp paths, pids or timings.
#pragma once

#include <string>
#include <string_view>

namespace credo::test {

// Records one row for the running test. Thread-safe. A failure to write the row is reported on
// stderr and does not fail the test (the document check will).
void record_fault(std::string_view area, std::string_view fault, std::string_view observed);

// `text` with every occurrence of `temp_path` replaced by `with`, so that an error message
// naming a test's temporary file or directory reads the same on every run. With `with` empty,
// a '/' right after the path goes too ("<tmp>/wal-1.log" becomes "wal-1.log").
std::string scrub(std::string text, std::string_view temp_path, std::string_view with = "");

}  // namespace credo::test

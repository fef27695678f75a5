#!/usr/bin/env bash
# Builds and runs the test suite with CTest.
#
#   scripts/test.sh            the whole suite: installs what it needs (scripts/setup.sh --tools),
#                              builds, runs every test, then checks docs/reliability.md's fault
#                              matrix against the rows the tests recorded. Under CI=true this
#                              includes the ASan/UBSan and TSan builds and clang-tidy, and the
#                              fault matrix must match exactly.
#   scripts/test.sh --full     the same, with the sanitizer builds and lint as under CI=true
#   scripts/test.sh --quick    the unit and integration tests only: no apt-get, no benchmarks,
#                              no sanitizer builds, lint, fuzzing or fault-matrix check
#                              (measured in README.md)
#   scripts/test.sh [--quick] -R Engine      extra arguments go to ctest (-R, -L, -E ...)
#
# Every run configures the options it relies on explicitly (-D...), so what an earlier
# configure cached (scripts/run-demo.sh's, a hand-run cmake's) never changes what runs here.
# Exit status: 0 when every test passed (and the fault matrix matched), else non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=default
case "${1:-}" in
  --quick) mode=quick; shift ;;
  --full) mode=full; shift ;;
esac

heavy=OFF  # the nested sanitizer builds and clang-tidy
[ "${CI:-}" = "true" ] && heavy=ON
[ "$mode" = full ] && heavy=ON
ctest_args=(--output-on-failure -j "$(nproc)" --timeout 600)
if [ "$mode" = quick ]; then
  heavy=OFF
  bash scripts/setup.sh --no-install -DCREDO_BUILD_TESTS=ON -DCREDO_BUILD_BENCH=OFF \
    -DCREDO_SANITIZER_TESTS=OFF -DCREDO_LINT_TESTS=OFF -DCREDO_TEST_TIMEOUT_SCALE=1
  ctest_args+=(-LE fuzz)  # registered whenever clang++-14 is installed
else
  bash scripts/setup.sh --tools -DCREDO_BUILD_TESTS=ON -DCREDO_BUILD_BENCH=ON \
    -DCREDO_SANITIZER_TESTS="$heavy" -DCREDO_LINT_TESTS="$heavy" -DCREDO_TEST_TIMEOUT_SCALE=1
fi
echo "test: $mode run; sanitizer builds and lint: $heavy"

rm -rf build/fault-matrix build/fault-matrix-inline build/Testing/Temporary/LastTestsFailed*.log
if ! (cd build && ctest "${ctest_args[@]}" "$@"); then
  # Say which test failed and where its output is. Do not go on to the fault-matrix check: a
  # failed test records no row, and the check's advice would be to delete that row.
  failed_log="$(ls build/Testing/Temporary/LastTestsFailed*.log 2>/dev/null | head -n 1 || true)"
  first=""
  [ -n "$failed_log" ] && first="$(head -n 1 "$failed_log" | cut -d: -f2-)"
  echo >&2
  if [ -n "$first" ]; then
    echo "test: FAILED: $(wc -l < "$failed_log") test(s); the first is $first" >&2
    echo "test: its output: above, and in build/Testing/Temporary/LastTest.log" >&2
    case "$first" in
      sanitize_asan|sanitize_tsan)
        echo "test: the instrumented tests' own log: build-${first#sanitize_}/Testing/Temporary/LastTest.log" >&2 ;;
    esac
    echo "test: run it again alone: (cd build && ctest --output-on-failure -R '^$first\$')" >&2
  else
    echo "test: ctest failed (see its output above and build/Testing/Temporary/LastTest.log)" >&2
  fi
  exit 1
fi

# The fault matrix needs the whole suite's rows: not after a selection or a quick run.
if [ $# -eq 0 ] && [ "$mode" != quick ]; then
  strict=""; [ "${CI:-}" = "true" ] && strict="--strict"
  build/bin/credo-fault-matrix check build/fault-matrix docs/reliability.md $strict
fi

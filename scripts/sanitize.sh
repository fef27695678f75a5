#!/usr/bin/env bash
# Builds a chosen subset of the test suite under a sanitizer and runs it with CTest.
#
#   scripts/sanitize.sh asan   AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/):
#                              engine, sim (CREDO_STEPS bounded), deterministic simulation
#                              (16 seeds), persistence, codec and net server tests. The
#                              server binary the net tests start is instrumented too.
#   scripts/sanitize.sh tsan   ThreadSanitizer (build-tsan/): the net server tests and the
#                              loadgen smoke test (the multi-threaded code: acceptor/session
#                              threads, the engine thread, the journal's fsync thread).
#
# Extra arguments go to ctest (e.g. -R Batch). Exit status is non-zero on any sanitizer report
# (every report aborts: halt_on_error / -fno-sanitize-recover) or test failure.
#
# Not the top-level CMakeLists: the flags go in through the cache (CMAKE_CXX_FLAGS,
# CMAKE_EXE_LINKER_FLAGS), and benchmarks are off. CREDO_SANITIZER_TESTS=OFF because this script
# is itself run from the suite (tests/sanitizers): the inner build must not register it again.
#
# Why not everything: credo_engine_alloc_tests replaces the global operator new, which ASan also
# replaces; the engine_inline.* entries rerun whole server test binaries in the other engine mode
# (the plain build covers it); the crash and fuzz tests are separate suites; the whole suite under ASan would not fit
# the time the CI budget gives the sanitizers (timings in tests/sanitizers/CMakeLists.txt).
set -euo pipefail

kind="${1:-}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="${CREDO_SANITIZE_JOBS:-2}"  # the machine is shared: never more than 2

case "$kind" in
  asan)
    flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -g"
    targets=(credo_engine_tests credo_sim_tests persistence_tests net_codec_test net_server_test
             net_server_faults_test credo_dsim_tests credo_server credo_cli)
    # gtest_discover_tests names tests after their suites, not their executables: select by
    # excluding what is not built here (the *_NOT_BUILT placeholders) and the non-gtest tests
    # of other suites.
    exclude='_NOT_BUILT|^engine_inline\.|^fuzz_|^crash_test$|^credo_demo_data$|Alloc|StateHash|Loadgen'
    # detect_leaks: a leak is a bug too. The sim's default million steps take too long
    # instrumented: 200k still covers every op and every epoch kind.
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    export CREDO_STEPS="${CREDO_STEPS:-200000}"
    # The deterministic simulation: 16 of CI's 48 seeds (every fault kind still occurs).
    export CREDO_DSIM_SEEDS="${CREDO_DSIM_SEEDS:-16}"
    ;;
  tsan)
    flags="-fsanitize=thread -fno-omit-frame-pointer -O1 -g"
    targets=(net_server_test net_server_faults_test loadgen_test credo_server credo_cli
             credo_loadgen)
    # credo_dsim is single-threaded and not built here (add_test, so no _NOT_BUILT placeholder).
    exclude='_NOT_BUILT|^engine_inline\.|^fuzz_|^crash_test$|^credo_sim$|^credo_dsim$|^credo_demo_data$|StateHash'
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/sanitizers/tsan.supp}"
    ;;
  *)
    echo "usage: scripts/sanitize.sh asan|tsan [ctest args...]" >&2
    exit 2
    ;;
esac

build="$root/build-$kind"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="" \
  -DCMAKE_EXE_LINKER_FLAGS="${flags%% -O1*}" -DCMAKE_SHARED_LINKER_FLAGS="${flags%% -O1*}" \
  -DCREDO_BUILD_BENCH=OFF -DCREDO_SANITIZER_TESTS=OFF -DCREDO_WERROR=OFF \
  -DCREDO_TEST_TIMEOUT_SCALE=4 >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

# Tests that start the server poll it with timeouts; instrumented binaries are 2-15x slower, so
# run at most 2 at a time and give each generous time.
cd "$build"
# The rows the instrumented tests record stay in build-<kind>/fault-matrix (their counts differ,
# e.g. the sim's shorter run); the fault matrix gets one row for the whole sanitizer run instead.
matrix_dir="${CREDO_FAULT_MATRIX_DIR:-}"
unset CREDO_FAULT_MATRIX_DIR
ctest --output-on-failure -j "$jobs" --timeout 600 -E "$exclude" "$@"
if [[ -n "$matrix_dir" && $# -eq 0 ]]; then
  count="$(ctest -N -E "$exclude" | sed -n 's/^Total Tests: //p')"
  case "$kind" in
    asan) what="AddressSanitizer + UndefinedBehaviorSanitizer (leaks, overflows, use after free, UB)"
          fault="memory errors and undefined behaviour anywhere in the engine, sim, persistence, codec and server tests" ;;
    tsan) what="ThreadSanitizer"
          fault="data races between the I/O, engine, journal and snapshot threads" ;;
  esac
  mkdir -p "$matrix_dir"
  printf '{"area":"Sanitizers","fault":"%s","test":"scripts/sanitize.sh %s (%s)","observed":"%s tests pass with no report (every report aborts the test)"}\n' \
    "$fault" "$kind" "$what" "$count" > "$matrix_dir/sanitize-$kind.jsonl"
fi

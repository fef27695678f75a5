#!/usr/bin/env bash
# Runs clang-tidy-14 over credo's own sources with the checked-in .clang-tidy and fails on any
# finding. One line per file, then a summary; the findings themselves follow a failing file.
#
#   scripts/lint.sh                     every .cc of engine/, net/, persistence/, tools/
#   scripts/lint.sh net/session.cc ...    only these files (paths relative to the repository)
#
# What is checked: the .cc files of engine/, net/, persistence/ and tools/, and through them
# every project header they include (HeaderFilterRegex). Not tests/, bench/ or fuzz/: they are
# not shipped, their bugs show up as failing tests (which also run under ASan/UBSan), and
# GoogleTest's and Benchmark's macros would double the run time for little signal.
#
# Compile commands come from a dedicated, configured-only build dir (build-lint/ or
# $CREDO_LINT_BUILD): nothing is compiled. The project compiles with GCC, so GCC-only warning
# flags (-Wno-restrict) are passed through with -Wno-unknown-warning-option.
#
# Jobs: $CREDO_LINT_JOBS, default nproc. Exit status: 0 clean, 1 on any finding or clang-tidy
# failure, 2 if clang-tidy-14 is missing.
# When $CREDO_FAULT_MATRIX_DIR is set and the run is clean, writes the fault matrix's static
# analysis row to $CREDO_FAULT_MATRIX_DIR/lint.jsonl (docs/reliability.md).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CREDO_LINT_BUILD:-$root/build-lint}"
jobs="${CREDO_LINT_JOBS:-$(nproc)}"
tidy="${CLANG_TIDY:-clang-tidy-14}"

if ! command -v "$tidy" >/dev/null; then
  echo "lint: $tidy not found (apt-get install clang-tidy-14, or scripts/setup.sh)" >&2
  exit 2
fi

# Tests and benchmarks off: their compile commands are not linted, and configuring them would
# need GoogleTest and Benchmark for nothing.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DCREDO_BUILD_TESTS=OFF -DCREDO_BUILD_BENCH=OFF >/dev/null

if [ $# -gt 0 ]; then
  files=()
  for f in "$@"; do files+=("$root/${f#"$root/"}"); done
else
  # CMake writes one `"file": "<absolute path>"` line per translation unit.
  mapfile -t files < <(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$build/compile_commands.json" |
    grep -E "^$root/(engine|net|persistence|tools)/" | sort -u)
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "lint: no source files found in $build/compile_commands.json" >&2
  exit 1
fi

out="$build/lint"
rm -rf "$out"
mkdir -p "$out"
export tidy build out root
check_one() {
  local f="$1" log rel
  rel="${f#"$root/"}"
  log="$out/$(echo "$rel" | tr '/' '_').log"
  # The header filter is anchored at this checkout, so that a system header under a folder
  # named net/ (e.g. <net/if.h>) is never mistaken for ours.
  if "$tidy" -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option \
      --header-filter="^$root/(engine|net|persistence|tools)/" "$f" >"$log" 2>&1; then
    echo "ok    $rel"
  else
    local n
    n=$(grep -cE '(warning|error): ' "$log" || true)
    echo "FAIL  $rel ($n findings)"
    touch "$log.failed"
  fi
}
export -f check_one

start=$(date +%s)
printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} bash -c 'check_one "$1"' _ {}
seconds=$(( $(date +%s) - start ))

failed=("$out"/*.failed)
if [ -e "${failed[0]}" ]; then
  echo
  for marker in "${failed[@]}"; do
    log="${marker%.failed}"
    echo "---- ${log##*/}"
    cat "$log"
  done
  # A header's finding is reported once per file that includes it: count each place once.
  unique=$(cat "$out"/*.log | grep -E '^/.*:[0-9]+:[0-9]+: (warning|error): ' | sort -u | wc -l)
  echo
  echo "lint: ${#failed[@]} of ${#files[@]} files with findings ($unique distinct), ${seconds} s"
  exit 1
fi

echo "lint: ${#files[@]} files, 0 findings, ${seconds} s"
if [ -n "${CREDO_FAULT_MATRIX_DIR:-}" ] && [ $# -eq 0 ]; then  # whole runs only
  mkdir -p "$CREDO_FAULT_MATRIX_DIR"
  printf '{"area":"Static analysis","fault":"clang-tidy findings (.clang-tidy: bugprone, clang-analyzer, concurrency, performance, misc and chosen cert, cppcoreguidelines, google, modernize, readability checks) in engine/, net/, persistence/, tools/","test":"scripts/lint.sh (clang-tidy-14)","observed":"0 findings in %d files"}\n' \
    "${#files[@]}" >"$CREDO_FAULT_MATRIX_DIR/lint.jsonl"
fi

#!/usr/bin/env bash
# Builds a fuzz target with clang++-14 (libFuzzer + ASan + UBSan) and runs it.
#
#   fuzz/build_and_run.sh [target=request] [extra libFuzzer flags...]
#       The suite's run (tests/fuzz): deterministic. Every checked-in seed in
#       fuzz/corpus/<target>/ once, then a fixed-seed exploration of a fixed number of runs
#       (-seed=$CREDO_FUZZ_SEED, default 1; -runs per target below, CREDO_FUZZ_RUNS overrides),
#       into a fresh temporary corpus that is deleted afterwards: the same commit gives the same
#       result, and nothing a previous run found changes what this one does.
#   fuzz/build_and_run.sh --explore SECONDS [target] [extra libFuzzer flags...]
#       Exploratory fuzzing (scripts/fuzz.sh): a random seed (libFuzzer prints it), for SECONDS,
#       growing build-fuzz/corpus/<target>/ across runs. Never part of the suite.
#
# Targets: request (request_parser_fuzz.cc, the default), wal (wal_reader_fuzz.cc: the WAL
# record reader and the command decoder), snapshot (snapshot_fuzz.cc: snapshot files and
# Engine::load) and engine (engine_fuzz.cc: the engine fed arbitrary command sequences).
# No CMake: the target compiles the sources it needs directly. Output goes to build-fuzz/
# (binary; the checked-in seeds in fuzz/corpus/<target>/ are only read). Exit status is
# non-zero if a crash is found; the crashing input is left in build-fuzz/ as crash-* (or
# oom-*, timeout-*, leak-*).
#
# Fault matrix: when CREDO_FAULT_MATRIX_DIR is set and a suite run ends without a finding, one
# JSON line (area, fault, test, observed; see tests/common/fault_matrix.h) is written to
# $CREDO_FAULT_MATRIX_DIR/fuzz-<target>.jsonl (the file is truncated first).
set -euo pipefail

explore_seconds=""
if [[ "${1:-}" == --explore ]]; then
  explore_seconds="${2:?--explore needs a number of seconds}"
  shift 2
fi
target=request
# The target is optional and never starts with '-', unlike libFuzzer's flags.
if [[ $# -gt 0 && "$1" != -* ]]; then
  target="$1"
  shift
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/build-fuzz"

case "$target" in
  request)
    main="$root/fuzz/request_parser_fuzz.cc"
    srcs=("$root"/net/request_parser.cc "$root"/net/parse_dispatch.cc "$root"/net/json_validation.cc "$root"/net/response_writer.cc "$root"/net/json_writer.cc "$root"/engine/*.cc)
    # -max_len: long enough for a few hundred order lines.
    extra=(-max_len=65536 -dict="$root/fuzz/request.dict")
    runs=400000
    ;;
  wal)
    main="$root/fuzz/wal_reader_fuzz.cc"
    srcs=("$root"/persistence/*.cc "$root"/engine/*.cc)
    # -max_len: a segment of a few hundred records; bigger inputs only slow the search.
    extra=(-max_len=16384)
    runs=200000
    ;;
  snapshot)
    main="$root/fuzz/snapshot_fuzz.cc"
    srcs=("$root"/persistence/*.cc "$root"/engine/*.cc)
    # -max_len: room for the seed images (a few KB) and some growth.
    extra=(-max_len=16384)
    runs=800
    ;;
  engine)
    main="$root/fuzz/engine_fuzz.cc"
    srcs=("$root"/engine/*.cc)
    # -max_len: a few hundred commands (the target stops at 400 steps anyway).
    extra=(-max_len=4096)
    runs=180
    ;;
  edi)
    main="$root/fuzz/edi_fuzz.cc"
    srcs=("$root"/edi/*.cc)
    # -max_len: an interchange of a few dozen purchase orders.
    extra=(-max_len=16384)
    # Each input is read three times under ASan: 40,000 runs took 83 s on the 2-core machine
    # while it also built and linted (load ~10); 25,000 is ~30 s when it is not that busy.
    runs=25000
    ;;
  *)
    echo "usage: fuzz/build_and_run.sh [--explore SECONDS] [request|wal|snapshot|engine|edi] [libFuzzer flags...]" >&2
    exit 2
    ;;
esac
runs="${CREDO_FUZZ_RUNS:-$runs}"
seed="${CREDO_FUZZ_SEED:-1}"

cxx="${CXX_FUZZ:-clang++-14}"
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -I"$root")

# Object files first (in parallel, at most 2 jobs: the machine is shared), then link. The
# objects are shared by every target (build-fuzz/obj/, one per source file, compiled with the
# same flags): engine/*.cc is compiled once, not once per target. ctest -j2 runs two targets at
# once, so each object is built under its own lock (flock): the second target waits for the
# first's compile of that file and then finds it fresh.
objdir="$out/obj"
mkdir -p "$objdir"
newest_header="$(ls -t "$root"/engine/*.h "$root"/net/*.h "$root"/persistence/*.h "$root"/edi/*.h | head -n 1)"
lib_flags=("${flags[@]/-fsanitize=fuzzer,address,undefined/-fsanitize=fuzzer-no-link,address,undefined}")
compile_one() {  # src obj: rebuilt when its source or any project header is newer than it
  local src="$1" obj="$2"
  (
    flock 9
    if [[ ! -f "$obj" || "$src" -nt "$obj" || "$newest_header" -nt "$obj" ]]; then
      # -fsanitize=fuzzer-no-link: instrument the library code without a second main().
      "$cxx" "${lib_flags[@]}" -c "$src" -o "$obj.tmp.$$" && mv "$obj.tmp.$$" "$obj"
    fi
  ) 9>"$obj.lock"
}
objs=()
pids=()
for src in "${srcs[@]}"; do
  obj="$objdir/$(basename "$(dirname "$src")")_$(basename "$src" .cc).o"
  objs+=("$obj")
  compile_one "$src" "$obj" &
  pids+=($!)
  if (( ${#pids[@]} >= 2 )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done

bin="$(basename "$main" .cc)"
"$cxx" "${flags[@]}" -pthread "$main" "${objs[@]}" -lsimdjson -lxxhash -o "$out/$bin"

# What the fault matrix says about each target when a run ends without a finding. Fixed
# strings: the run's outcome (no finding) is the only thing observed, and it must read the
# same every time.
case "$target" in
  request)
    area="Request parser"
    fault="arbitrary bytes as a request line"
    observed="no crash, leak or undefined behaviour; only valid JSON is accepted; every answer is one line of valid JSON"
    ;;
  wal)
    area="WAL on disk"
    fault="arbitrary bytes as a WAL segment or record body"
    observed="no crash, leak or undefined behaviour; records stay inside the file with consecutive sequence numbers; every decoded command re-encodes to a fixed point"
    ;;
  snapshot)
    area="Snapshots"
    fault="arbitrary bytes as a snapshot image"
    observed="no crash, leak or undefined behaviour; every image that loads passes the full invariant check and round-trips"
    ;;
  edi)
    area="EDI reader"
    fault="arbitrary bytes as an X12 or EDIFACT file, fed in arbitrary chunks"
    observed="no crash, leak or undefined behaviour; chunking never changes what is read; every 997, 855, CONTRL and ORDRSP written reads back with valid envelopes"
    ;;
  engine)
    area="Engine"
    fault="arbitrary command sequences (every op; bad ids, quantities, amounts, roles, levels; time jumps both ways)"
    observed="no crash, leak or undefined behaviour; invariants hold after every step; failed commands change nothing; replay and save/load give the same state hash"
    ;;
esac
matrix=""
if [[ -n "${CREDO_FAULT_MATRIX_DIR:-}" ]]; then
  mkdir -p "$CREDO_FAULT_MATRIX_DIR"
  matrix="$CREDO_FAULT_MATRIX_DIR/fuzz-$target.jsonl"
  : >"$matrix"
fi

cd "$out"
# -timeout: a single input taking more than 10 s is a hang.
status=0
if [[ -n "$explore_seconds" ]]; then
  mkdir -p "$out/corpus/$target"
  "./$bin" -max_total_time="$explore_seconds" -timeout=10 "${extra[@]}" "$@" \
    "$out/corpus/$target" "$root/fuzz/corpus/$target" || status=$?
  exit "$status"
fi
# The suite's run. The first corpus dir is where libFuzzer writes what it finds: a fresh one,
# so the only inputs read are the checked-in seeds. -runs counts every execution, seeds
# included. Timed and printed, so the run counts can be kept at 20-40 s a target.
fresh="$(mktemp -d "${TMPDIR:-/tmp}/credo-fuzz-$target.XXXXXX")"
trap 'rm -rf "$fresh"' EXIT
echo "fuzz/$target: seed $seed, $runs runs (checked-in corpus + fixed-seed exploration)"
t0=$(date +%s.%N)
"./$bin" -seed="$seed" -runs="$runs" -timeout=10 "${extra[@]}" "$@" \
  "$fresh" "$root/fuzz/corpus/$target" || status=$?
t1=$(date +%s.%N)
echo "fuzz/$target: $runs runs in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, exit status $status"
if [[ $status -eq 0 && -n "$matrix" ]]; then
  printf '{"area":"%s","fault":"%s","test":"fuzz/%s (libFuzzer + ASan + UBSan, checked-in corpus + fixed seed and run count)","observed":"%s"}\n' \
    "$area" "$fault" "$target" "$observed" >"$matrix"
fi
exit "$status"

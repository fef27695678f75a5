#!/usr/bin/env bash
# Builds a fuzz target with clang++-14 (libFuzzer + ASan + UBSan) and runs it for a bounded
# time on its checked-in seed corpus.
#
#   fuzz/build_and_run.sh [seconds=60] [target=request] [extra libFuzzer flags...]
#
# Targets: request (request_parser_fuzz.cc, the default), wal (wal_reader_fuzz.cc: the WAL
# record reader and the command decoder), snapshot (snapshot_fuzz.cc: snapshot files and
# Engine::load) and engine (engine_fuzz.cc: the engine fed arbitrary command sequences).
# No CMake: the target compiles the sources it needs directly. Output goes to build-fuzz/
# (binary) and build-fuzz/corpus/<target>/ (the corpus grows there; the checked-in seeds in
# fuzz/corpus/<target>/ are only read). Exit status is non-zero if a crash is found; the
# crashing input is left in build-fuzz/ as crash-*.
#
# Fault matrix: when CREDO_FAULT_MATRIX_DIR is set and the run ends without a finding, one JSON
# line (area, fault, test, observed; see tests/common/fault_matrix.h) is written to
# $CREDO_FAULT_MATRIX_DIR/fuzz-<target>.jsonl (the file is truncated first).
set -euo pipefail

seconds="${1:-60}"
shift || true
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
    srcs=("$root"/net/request_parser.cc "$root"/net/response_writer.cc "$root"/net/json_writer.cc "$root"/engine/*.cc)
    # -max_len: long enough for a few hundred order lines.
    extra=(-max_len=65536 -dict="$root/fuzz/request.dict")
    ;;
  wal)
    main="$root/fuzz/wal_reader_fuzz.cc"
    srcs=("$root"/persistence/*.cc "$root"/engine/*.cc)
    # -max_len: a segment of a few hundred records; bigger inputs only slow the search.
    extra=(-max_len=16384)
    ;;
  snapshot)
    main="$root/fuzz/snapshot_fuzz.cc"
    srcs=("$root"/persistence/*.cc "$root"/engine/*.cc)
    # -max_len: room for the seed images (a few KB) and some growth.
    extra=(-max_len=16384)
    ;;
  engine)
    main="$root/fuzz/engine_fuzz.cc"
    srcs=("$root"/engine/*.cc)
    # -max_len: a few hundred commands (the target stops at 400 steps anyway).
    extra=(-max_len=4096)
    ;;
  *)
    echo "usage: fuzz/build_and_run.sh [seconds] [request|wal|snapshot|engine] [libFuzzer flags...]" >&2
    exit 2
    ;;
esac
mkdir -p "$out/corpus/$target"

cxx="${CXX_FUZZ:-clang++-14}"
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -I"$root")

# Object files first (in parallel, at most 2 jobs: the machine is shared), then link. Each
# target has its own object directory (request's is build-fuzz/ itself, as before), so two
# targets run at once by ctest -j2 never write the same object file.
objdir="$out"
[[ "$target" == request ]] || objdir="$out/obj-$target"
mkdir -p "$objdir"
newest_header="$(ls -t "$root"/engine/*.h "$root"/net/*.h "$root"/persistence/*.h | head -n 1)"
objs=()
pids=()
for src in "${srcs[@]}"; do
  obj="$objdir/$(basename "$(dirname "$src")")_$(basename "$src" .cc).o"
  objs+=("$obj")
  # Rebuilt when its source or any project header is newer (headers are not tracked per file).
  if [[ ! -f "$obj" || "$src" -nt "$obj" || "$newest_header" -nt "$obj" ]]; then
    # -fsanitize=fuzzer-no-link: instrument the library code without a second main().
    "$cxx" "${flags[@]/-fsanitize=fuzzer,address,undefined/-fsanitize=fuzzer-no-link,address,undefined}" \
      -c "$src" -o "$obj" &
    pids+=($!)
    if (( ${#pids[@]} >= 2 )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  fi
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
"./$bin" -max_total_time="$seconds" -timeout=10 "${extra[@]}" "$@" \
  "$out/corpus/$target" "$root/fuzz/corpus/$target" || status=$?
if [[ $status -eq 0 && -n "$matrix" ]]; then
  printf '{"area":"%s","fault":"%s","test":"fuzz/%s (libFuzzer + ASan + UBSan, %s s)","observed":"%s"}\n' \
    "$area" "$fault" "$target" "$seconds" "$observed" >"$matrix"
fi
exit "$status"

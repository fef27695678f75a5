#!/usr/bin/env bash
# Builds a fuzz target with clang++-14 (libFuzzer + ASan + UBSan) and runs it for a bounded
# time on its checked-in seed corpus.
#
#   fuzz/build_and_run.sh [seconds=60] [target=request] [extra libFuzzer flags...]
#
# Targets: request (request_parser_fuzz.cc, the default) and wal (wal_reader_fuzz.cc: the WAL
# record reader and the command decoder).
# No CMake: the target compiles the sources it needs directly. Output goes to build-fuzz/
# (binary) and build-fuzz/corpus/<target>/ (the corpus grows there; the checked-in seeds in
# fuzz/corpus/<target>/ are only read). Exit status is non-zero if a crash is found; the
# crashing input is left in build-fuzz/ as crash-*.
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
    srcs=("$root"/net/codec.cc "$root"/net/json_writer.cc "$root"/engine/*.cc)
    # -max_len: long enough for a few hundred order lines.
    extra=(-max_len=65536 -dict="$root/fuzz/request.dict")
    ;;
  wal)
    main="$root/fuzz/wal_reader_fuzz.cc"
    srcs=("$root"/persistence/*.cc "$root"/engine/*.cc)
    # -max_len: a segment of a few hundred records; bigger inputs only slow the search.
    extra=(-max_len=16384)
    ;;
  *)
    echo "usage: fuzz/build_and_run.sh [seconds] [request|wal] [libFuzzer flags...]" >&2
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

cd "$out"
# -timeout: a single input taking more than 10 s is a hang.
exec "./$bin" -max_total_time="$seconds" -timeout=10 "${extra[@]}" "$@" \
  "$out/corpus/$target" "$root/fuzz/corpus/$target"

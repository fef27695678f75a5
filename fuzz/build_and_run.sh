#!/usr/bin/env bash
# Builds the request-parser fuzz target with clang++-14 (libFuzzer + ASan + UBSan) and runs it
# for a bounded time on the checked-in seed corpus.
#
#   fuzz/build_and_run.sh [seconds=60] [extra libFuzzer flags...]
#
# No CMake: the target compiles the codec and the engine sources directly. Output goes to
# build-fuzz/ (binary) and build-fuzz/corpus/request/ (the corpus grows there; the checked-in
# seeds in fuzz/corpus/request/ are only read). Exit status is non-zero if a crash is found;
# the crashing input is left in build-fuzz/ as crash-*.
set -euo pipefail

seconds="${1:-60}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/build-fuzz"
mkdir -p "$out/corpus/request"

cxx="${CXX_FUZZ:-clang++-14}"
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -I"$root")

# Object files first (in parallel, at most 2 jobs: the machine is shared), then link.
srcs=("$root"/net/codec.cc "$root"/net/json_writer.cc "$root"/engine/*.cc)
objs=()
pids=()
for src in "${srcs[@]}"; do
  obj="$out/$(basename "$(dirname "$src")")_$(basename "$src" .cc).o"
  objs+=("$obj")
  if [[ ! -f "$obj" || "$src" -nt "$obj" ]]; then
    # -fsanitize=fuzzer-no-link: instrument the library code without a second main().
    "$cxx" "${flags[@]/-fsanitize=fuzzer,address,undefined/-fsanitize=fuzzer-no-link,address,undefined}" \
      -c "$src" -o "$obj" &
    pids+=($!)
    if (( ${#pids[@]} >= 2 )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

"$cxx" "${flags[@]}" "$root/fuzz/request_parser_fuzz.cc" "${objs[@]}" \
  -lsimdjson -lxxhash -o "$out/request_parser_fuzz"

cd "$out"
# -max_len: long enough for a few hundred order lines; -timeout: a single input taking more
# than 10 s is a hang.
exec ./request_parser_fuzz -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -dict="$root/fuzz/request.dict" "$@" "$out/corpus/request" "$root/fuzz/corpus/request"

#!/usr/bin/env bash
# Exploratory fuzzing: each target for N minutes with a random seed, its corpus growing in
# build-fuzz/corpus/<target>/ from one run to the next. Not part of the suite: the suite's fuzz
# tests (tests/fuzz, fuzz/build_and_run.sh without --explore) replay the checked-in seeds and a
# fixed-seed exploration, so the same commit always gives the same result. This is where new
# findings come from; each one becomes a checked-in seed and a regression test (below).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/fuzz.sh --minutes N [target...]

Runs each target (default: all four, one after the other) for N minutes with a random seed,
under libFuzzer + ASan + UBSan (clang++-14). libFuzzer prints the seed it picked
("INFO: Seed: ..."); the corpus grows in build-fuzz/corpus/<target>/ across runs.

Targets: request (the request parser), wal (WAL reader and command decoder),
         snapshot (snapshot files and Engine::load), engine (the engine fed command sequences)

Examples:
  scripts/fuzz.sh --minutes 10                  all four targets, 10 minutes each
  scripts/fuzz.sh --minutes 60 engine           an hour on the engine
  scripts/fuzz.sh --minutes 5 wal snapshot      the persistence targets

On a finding the script stops with the target's exit status; the input is in build-fuzz/
(crash-*, oom-*, timeout-* or leak-*). To keep it:
  1. reproduce:   build-fuzz/<target binary> build-fuzz/crash-<hash>
  2. fix the cause, then add the input to the checked-in seeds, named for what it found:
                  cp build-fuzz/crash-<hash> fuzz/corpus/<target>/regress-<what>
     (engine: better, add the scenario to fuzz/make_engine_seeds.py and regenerate)
  3. add a regression test, the smallest scenario that reproduces it:
     tests/engine/fuzz_regression_test.cc (engine, snapshot), tests/persistence/codec_test.cc
     (wal), tests/net_codec/codec_parse_test.cc (request)
  The suite then replays the input on every run (fuzz/build_and_run.sh reads the seeds).
EOF
}

minutes=""
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --minutes)
      minutes="${2:-}"
      shift 2 || { usage >&2; exit 2; }
      ;;
    request | wal | snapshot | engine)
      targets+=("$1")
      shift
      ;;
    *)
      echo "scripts/fuzz.sh: unknown argument '$1'" >&2
      usage >&2
      exit 2
      ;;
  esac
done
if ! [[ "$minutes" =~ ^[1-9][0-9]*$ ]]; then
  echo "scripts/fuzz.sh: --minutes N is required (a whole number of minutes)" >&2
  usage >&2
  exit 2
fi
[[ ${#targets[@]} -gt 0 ]] || targets=(request wal snapshot engine)

root="$(cd "$(dirname "$0")/.." && pwd)"
for t in "${targets[@]}"; do
  echo "== scripts/fuzz.sh: $t for $minutes min (random seed) =="
  # The fault matrix is the suite's: an exploratory run writes no row.
  env -u CREDO_FAULT_MATRIX_DIR bash "$root/fuzz/build_and_run.sh" --explore "$((minutes * 60))" "$t"
done

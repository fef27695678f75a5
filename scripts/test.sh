#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh: Debian packages, configure, build) and runs the whole
# test suite with CTest. Extra arguments go to ctest (e.g. -R Engine, -L sim).
#
# After a whole-suite run, checks that docs/reliability.md's fault matrix matches the rows the
# tests recorded (tests/common/fault_matrix.h); under CI=true the match must be exact.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -rf build/fault-matrix
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@")
if [ $# -eq 0 ]; then
  strict=""; [ "${CI:-}" = "true" ] && strict="--strict"
  build/bin/credo-fault-matrix check build/fault-matrix docs/reliability.md $strict
fi

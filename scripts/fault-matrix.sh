#!/usr/bin/env bash
# Regenerates the fault matrix in docs/reliability.md from what the tests observe: runs the whole
# suite as CI does (CI=true: sanitizer builds, fuzzers and lint included; ~15 minutes on 2 cores)
# with an empty build/fault-matrix/, then writes the rows the tests recorded into the document.
# Extra arguments go to ctest. Review the diff of docs/reliability.md before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-true}"
bash scripts/setup.sh --tools -DCREDO_SANITIZER_TESTS=ON -DCREDO_LINT_TESTS=ON
rm -rf build/fault-matrix
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@")
build/bin/credo-fault-matrix write build/fault-matrix docs/reliability.md

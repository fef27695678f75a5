#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh: Debian packages, configure, build) and runs the whole
# test suite with CTest. Extra arguments go to ctest (e.g. -R Engine, -L sim).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"

#!/usr/bin/env bash
# Sets up (scripts/setup.sh: the build toolchain and libraries only, no sanitizer or lint tools),
# builds every tool the README names (credo-server, credo-cli, credo-wal, credo-loadgen,
# credo-demo, credo-edi) and runs credo-server on the embedded demo dataset (TCP on 7400, HTTP on
# 7480): it prints one key per role and approval level and a credo-cli command to try. Extra
# arguments go to the server, e.g. --port 7401, --data /tmp/credo-demo, --clock manual. Safe to
# run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh credo_server credo_cli credo_wal credo_loadgen credo_demo credo_edi_tool
exec build/bin/credo-server --demo "$@"

#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs credo-server on the embedded demo dataset
# (--demo prints one key per role and an example credo-cli command). Extra arguments go to the
# server, e.g. --port 7401, --data /tmp/credo-demo, --clock manual.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh credo_server credo_cli credo_demo
exec build/bin/credo-server --demo "$@"

#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs credo on the embedded demo dataset: the server
# (credo-server --demo, which prints the keys to use) once it is built, else the engine demo.
# Extra arguments go to the program.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -x build/bin/credo-server ]; then
  exec build/bin/credo-server --demo "$@"
fi
exec build/bin/credo-demo "$@"

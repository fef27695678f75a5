#!/usr/bin/env bash
# Installs what a command needs from Debian's packages, then configures and builds into build/
# (executables land in build/bin/). Safe to run again: packages already there are not touched
# and CMake rebuilds only what changed.
#
#   scripts/setup.sh [--tools] [--no-install] [-DNAME=VALUE ...] [target ...]
#
#   (no target)       build everything
#   target ...        build only these CMake targets, e.g. credo_server credo_cli
#   --tools           also install clang-14, libclang-rt-14-dev and clang-tidy-14 (the sanitizer,
#                     fuzz and lint tools: only the full test command needs them)
#   --no-install      never call apt-get: name the missing packages and exit 1 instead
#   -DNAME=VALUE      passed to CMake's configure, which runs every time, so an option the
#                     caller gives always wins over what an earlier configure cached
#   CREDO_BUILD_TYPE=Debug scripts/setup.sh     (default Release)
#
# -Werror is always on (CREDO_WERROR), so a warning fails here as it would in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

# The toolchain and the libraries: enough to build every target with GCC.
packages=(g++ cmake ninja-build pkg-config libboost-dev libsimdjson-dev libconcurrentqueue-dev
          libxxhash-dev libfmt-dev libcli11-dev libgtest-dev libbenchmark-dev libnats-dev nats-server
          libssl-dev openssl)
# The sanitizer, fuzz and lint tools, and the real peers some tests start: only for the full
# test suite. curl: the HTTP edge's script test (tests/http); wrk: its benchmark
# (bench/http_orders.lua); prometheus: `promtool check metrics` (tests/net/metrics_test.cc) and
# the real Prometheus that scrapes /metrics (tests/http). tests/http/openapi_test.sh also needs
# node and npm (npm ci installs the validator from the checked-in lock file). chromium: the web
# console's browser tests (tests/console, playwright-core drives it headless).
tool_packages=(clang-14 libclang-rt-14-dev clang-tidy-14 curl wrk prometheus chromium)

install=1
cmake_args=()
targets=()
for arg in "$@"; do
  case "$arg" in
    --tools) packages+=("${tool_packages[@]}") ;;
    --no-install) install=0 ;;
    -D*) cmake_args+=("$arg") ;;
    -*) echo "setup: unknown option $arg (see the comment at the top of $0)" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$install" -eq 0 ]; then
    echo "setup: missing packages: ${missing[*]}" >&2
    echo "setup: install them with scripts/setup.sh (uses apt-get), then run this again" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ccache, when installed, makes rebuilds after a branch switch cheap; nothing depends on it.
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${CREDO_BUILD_TYPE:-Release}" -DCREDO_WERROR=ON \
  "${launcher[@]}" "${cmake_args[@]}" >/dev/null
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build build -j "$(nproc)" --target "${targets[@]}"
else
  cmake --build build -j "$(nproc)"
fi

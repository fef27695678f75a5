#!/usr/bin/env bash
# Installs everything credo needs to build and test, from Debian's packages, then configures
# and builds into build/ (executables land in build/bin/). Safe to run again: apt-get skips
# what is installed and CMake rebuilds only what changed.
#
#   scripts/setup.sh            install + configure + build everything (Release)
#   scripts/setup.sh credo_server credo_cli     ... build only these targets
#   CREDO_BUILD_TYPE=Debug scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake ninja-build pkg-config libboost-dev libsimdjson-dev libconcurrentqueue-dev
          libxxhash-dev libfmt-dev libcli11-dev libgtest-dev libbenchmark-dev
          clang-14 libclang-rt-14-dev clang-tidy-14)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

werror=OFF; [ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${CREDO_BUILD_TYPE:-Release}" -DCREDO_WERROR="$werror" >/dev/null
if [ $# -gt 0 ]; then
  cmake --build build -j "$(nproc)" --target "$@"
else
  cmake --build build -j "$(nproc)"
fi

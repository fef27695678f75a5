#!/usr/bin/env bash
# docs/openapi.json through a real OpenAPI validator (@apidevtools/swagger-parser, locked in
# tests/http/package-lock.json, installed here with npm ci), then every operation's example
# replayed against a running credo-server (openapi_replay.mjs).
#   usage: openapi_test.sh <credo-server binary> <npm work dir>
set -eu
server_bin=${1:?usage: openapi_test.sh <credo-server binary> <npm work dir>}
work=${2:?usage: openapi_test.sh <credo-server binary> <npm work dir>}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command -v npm >/dev/null && command -v node >/dev/null || {
  echo "openapi_test: needs node and npm (Debian: nodejs, npm) to install the validator"
  exit 1
}
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here/openapi_replay.mjs" "$work/"
if ! cmp -s "$here/package-lock.json" "$work/node_modules/.credo-lock" 2>/dev/null; then
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$work/node_modules/.credo-lock"
fi

# The checked-in document is the one the binary generates (the served one is compared by
# http_server_test).
"$server_bin" --print-openapi >"$work/generated.json"
cmp "$root/docs/openapi.json" "$work/generated.json" || {
  echo "docs/openapi.json is stale: regenerate with credo-server --print-openapi > docs/openapi.json"
  exit 1
}

tmp=$(mktemp -d)
"$server_bin" --port 0 --demo --clock manual >"$tmp/out" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 200); do grep -q "listening on" "$tmp/out" && break; sleep 0.05; done
port=$(sed -n 's/.*  http: [^ ]*:\([0-9]*\).*/\1/p' "$tmp/out" | head -1)
[[ -n "$port" ]] || { echo "server did not start"; cat "$tmp/err"; exit 1; }
cd "$work" && node openapi_replay.mjs "$root/docs/openapi.json" "http://127.0.0.1:$port" demo-admin

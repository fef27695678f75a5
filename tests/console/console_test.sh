#!/usr/bin/env bash
# The credit desk console (docs/console.md) in a real browser: playwright-core (locked in
# tests/console/package-lock.json, installed with npm ci into the build tree) drives Debian's
# chromium headless against a real `credo-server --demo --clock manual` started here on free
# ports; screenshots go to build/console-screenshots/.
#   usage: console_test.sh <credo-server> <credo-cli> <npm work dir> <screenshot dir>
set -eu
server_bin=${1:?usage: console_test.sh <credo-server> <credo-cli> <npm dir> <shot dir>}
cli_bin=${2:?}
work=${3:?}
shots=${4:?}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*"; exit 1; }

command -v node >/dev/null && command -v npm >/dev/null ||
  fail "needs node and npm (Debian: nodejs, npm)"
chromium_bin=${CHROMIUM:-$(command -v chromium || true)}
if [[ -z "$chromium_bin" ]]; then
  echo "console_test: chromium is missing; installing it with apt-get (scripts/setup.sh --tools)"
  [[ $(id -u) == 0 ]] || fail "chromium is not installed (apt-get install chromium as root)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null ||
    fail "apt-get install chromium failed"
  chromium_bin=$(command -v chromium)
fi
mkdir -p "$work" "$shots"
work=$(cd "$work" && pwd)
shots=$(cd "$shots" && pwd)
cp "$here/package.json" "$here/package-lock.json" "$here/console.spec.mjs" "$work/"
if ! cmp -s "$here/package-lock.json" "$work/node_modules/.credo-lock" 2>/dev/null; then
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$work/node_modules/.credo-lock"
fi

dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
"$server_bin" --port 0 --demo --clock manual --data "$dir/data" >"$dir/server.out" 2>"$dir/server.err" &
pids+=($!)
for _ in $(seq 1 200); do grep -q "listening on" "$dir/server.out" 2>/dev/null && break; sleep 0.05; done
tcp_port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) .*/\1/p' "$dir/server.out" | head -1)
http_port=$(sed -n 's/.*  http: [^ ]*:\([0-9]*\).*/\1/p' "$dir/server.out" | head -1)
[[ -n "$http_port" && -n "$tcp_port" ]] || { cat "$dir/server.err"; fail "server did not start"; }
base="http://127.0.0.1:$http_port"
echo "server: tcp $tcp_port, http $http_port"

# The static files: index at /console/, types, ETag revalidation, 404, no traversal.
code=$(curl -s -o "$dir/index.html" -w '%{http_code} %{content_type}' "$base/console/")
[[ $code == "200 text/html; charset=utf-8" ]] || fail "GET /console/: $code"
grep -q '<script type="module" src="app.js">' "$dir/index.html" || fail "index.html is not the console's"
code=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$base/console/app.js")
[[ $code == "200 text/javascript; charset=utf-8" ]] || fail "GET /console/app.js: $code"
etag=$(curl -s -D - -o /dev/null "$base/console/style.css" | tr -d '\r' | sed -n 's/^ETag: //Ip')
[[ -n "$etag" ]] || fail "no ETag on style.css"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base/console/style.css")
[[ $code == 304 ]] || fail "If-None-Match: $code, want 304"
code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$base/console")
[[ $code == "301 $base/console/" ]] || fail "GET /console: $code"
for p in /console/nope.js /console/../docs/http.md /console/%2e%2e/README.md /console/sub/index.html; do
  code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$base$p")
  [[ $code == 404 ]] || fail "GET $p: $code, want 404"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/console/index.html")
[[ $code == 405 ]] || fail "POST /console/index.html: $code, want 405"
echo "ok: static files"

# whoami (the sign-in's op) over both edges; a bad key is 401.
who=$(curl -s -H 'Authorization: Bearer demo-finance' "$base/v1/whoami")
[[ $who == '{"ok":true,"principal":"fiona-finance","roles":["finance"],"level":2,"protocol":1}' ]] ||
  fail "GET /v1/whoami: $who"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' "$base/v1/whoami")
[[ $code == 401 ]] || fail "whoami with a bad key: $code, want 401"
who=$("$cli_bin" --port "$tcp_port" --key demo-credit-2 '{"op":"whoami"}')
echo "$who" | grep -q '"principal":"dora-director","roles":\["credit"\],"level":2' ||
  fail "whoami over TCP: $who"
echo "ok: whoami"

# The held orders the clerk works: one held OVERDUE (level 2: above demo-credit's level 1),
# one over the credit limit (level 1).
submit() {
  curl -s -H 'Authorization: Bearer demo-order' -H 'Content-Type: application/json' \
    "$base/v1/orders" -d "$1"
}
above=$(submit '{"customer":"C1004","client_order_id":"CON-1","lines":[{"sku":"BOLT-M8","qty":2}]}')
within=$(submit '{"customer":"C1003","client_order_id":"CON-2","lines":[{"sku":"BOLT-M12","qty":2000},{"sku":"BOLT-M8","qty":100}]}')
echo "$above" | grep -q '"reasons":\[{"code":"OVERDUE","required_level":2}\]' || fail "seed 1: $above"
echo "$within" | grep -q '"reasons":\[{"code":"CREDIT_LIMIT","required_level":1}\]' || fail "seed 2: $within"
above_no=$(echo "$above" | sed -n 's/.*"order_no":\([0-9]*\).*/\1/p')
within_no=$(echo "$within" | sed -n 's/.*"order_no":\([0-9]*\).*/\1/p')

(cd "$work" && CHROMIUM="$chromium_bin" BASE="$base" SHOTS="$shots" ABOVE="$above_no" \
  WITHIN="$within_no" OUT="$dir/released" node console.spec.mjs)

# The release the browser made, read back over the other edge (NDJSON over TCP, credo-cli).
released=$("$cli_bin" --port "$tcp_port" --key demo-admin "{\"op\":\"get_order\",\"order_no\":$within_no}")
echo "$released" | grep -q '"status":"accepted"' || fail "order $within_no over TCP: $released"
echo "$released" | grep -q '"event":"released","by":"maria-credit"' ||
  fail "order $within_no has no release by maria-credit: $released"
held=$("$cli_bin" --port "$tcp_port" --key demo-admin "{\"op\":\"get_order\",\"order_no\":$above_no}")
echo "$held" | grep -q '"status":"held"' || fail "order $above_no should still be held: $held"
echo "ok: credo-cli sees order $within_no accepted (released by maria-credit), $above_no still held"
echo "PASS: console (screenshots in $shots)"

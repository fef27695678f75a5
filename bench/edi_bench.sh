#!/usr/bin/env bash
# credo-edi end to end: one interchange of N purchase orders x 3 lines (bench/edi_gen.py),
# translated, submitted to a credo-server (--demo, --durability fsync, journal in a temp dir)
# and acknowledged (997 + 855). Prints PO lines/s and credo-edi's peak RSS.
#
#   bench/edi_bench.sh [POS=100000]     (build first: credo_server credo_edi_tool)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/build/bin"
pos="${1:-100000}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/credo-edi-bench.XXXXXX")"
trap 'kill "$spid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$bin/credo-server" --demo --clock manual --port 0 --data "$tmp/data" --durability fsync >"$tmp/server.log" 2>&1 &
spid=$!
for _ in $(seq 100); do grep -q listening "$tmp/server.log" 2>/dev/null && break; sleep 0.1; done
port="$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$tmp/server.log" | head -n 1)"
# Enough stock and credit that the orders are decided on their merits, not all rejected.
python3 - "$port" <<'PY'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rw")
def call(req):
    f.write(json.dumps(req) + "\n"); f.flush()
    return json.loads(f.readline())
assert call({"op": "hello", "key": "demo-admin"})["ok"]
for sku in ["BOLT-M8", "NUT-M8", "WASHER-M8", "TIE-300", "CONDUIT-20", "GLOVE-L"]:
    assert call({"op": "receive_stock", "sku": sku, "qty": 10000000})["ok"]
for c in ["C1001", "C1002", "C1003"]:
    call({"op": "set_credit", "customer": c, "credit_limit": 9000000000000})
PY
python3 "$root/bench/edi_gen.py" --pos "$pos" >"$tmp/orders.x12"
echo "input: $pos POs, $((pos * 3)) lines, $(stat -c %s "$tmp/orders.x12") bytes"
t0=$(date +%s.%N)
/usr/bin/time -v "$bin/credo-edi" submit --quiet --batch "${CREDO_EDI_BATCH:-2000}" --partners "$root/bench/edi_partners.json" \
  --port "$port" --out "$tmp" "$tmp/orders.x12" 2>"$tmp/edi.err"
t1=$(date +%s.%N)
grep -v '^\s' "$tmp/edi.err" | grep -v 'Command being' | tail -n 3
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/edi.err")
awk -v a="$t0" -v b="$t1" -v l="$((pos * 3))" -v r="$rss" \
  'BEGIN { printf "elapsed %.1f s, %.0f PO lines/s end to end, credo-edi peak RSS %.1f MiB\n", b - a, l / (b - a), r / 1024 }'
ls -l "$tmp"/orders.x12.997 "$tmp"/orders.x12.855 | awk '{print $5, $9}'

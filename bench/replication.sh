#!/usr/bin/env bash
# The cost of replication (docs/replication.md): credo-server with --data --durability fsync
# alone, then replicated to JetStream on one nats-server (R1) and on a 3-node nats-server cluster
# on loopback (R3), under credo-loadgen at fixed offered rates (open loop, 16 connections,
# 10,000 customers, 1,000 products, 3-line orders). Prints a markdown table.
#
#   bench/replication.sh                 rates 1000 10000, 5 s each after a 1 s warm-up
#   RATES="10000 100000" DUR=10 bench/replication.sh
#
# Needs nats-server on PATH and build/bin/{credo-server,credo-loadgen,credo-cli}.
set -euo pipefail
build=${CREDO_BUILD:-build}
server=$build/bin/credo-server; loadgen=$build/bin/credo-loadgen; cli=$build/bin/credo-cli
for b in "$server" "$loadgen" "$cli"; do
  [ -x "$b" ] || { echo "replication bench: build $b first" >&2; exit 1; }
done
command -v nats-server >/dev/null || { echo "replication bench: needs nats-server" >&2; exit 1; }
rates=${RATES:-1000 10000}; dur=${DUR:-5}; warm=${WARM:-1}
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/credo-repl-bench-XXXXXX")
port=${PORT:-7494}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -z "${KEEP:-}" ] && rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_keys "$work"
lg=(--port "$port" --connections 16 --customers 10000 --products 1000 --lines 3)

start_nats() {  # $1: nodes (1 or 3), $2: base port; sets $urls (in this shell: pids)
  local n=$1 base=$2 routes="" i
  urls=""
  for i in $(seq "$n"); do routes+="${routes:+,}nats://127.0.0.1:$((base + 2000 + i))"; done
  for i in $(seq "$n"); do
    local args=(-a 127.0.0.1 -p $((base + i)) -js -sd "$work/nats$n-$i" --name "n$i")
    [ "$n" -eq 1 ] || args+=(--cluster_name credo --cluster "nats://127.0.0.1:$((base + 2000 + i))"
                             --routes "$routes")
    nats-server "${args[@]}" >"$work/nats$n-$i.log" 2>&1 &
    pids+=($!)
    urls+="${urls:+,}nats://127.0.0.1:$((base + i))"
  done
  sleep $([ "$n" -gt 1 ] && echo 4 || echo 1)  # a cluster elects its JetStream meta leader
}

run() {  # $1: label; rest: extra server args
  local label=$1; shift
  rm -rf "$work/data"; mkdir -p "$work/data"
  "$server" --port "$port" --keys "$work/keys.json" --clock manual --data "$work/data" \
    --durability fsync "$@" >"$work/server-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q listening "$work/server-$label.log" && break; sleep 0.1; done
  "$loadgen" "${lg[@]}" --setup --admin-key bench-admin --key bench-order --duration 0.5 \
    >/dev/null 2>&1
  for rate in $rates; do
    echo "replication bench: $label at $rate orders/s" >&2
    "$loadgen" "${lg[@]}" --key bench-order --pipeline 1024 --rate "$rate" --duration "$dur" \
      --warmup "$warm" --json "$work/$label-$rate.json" >/dev/null 2>&1 ||
      echo "replication bench: that run failed (exit $?)" >&2
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run single
start_nats 1 4330
run r1 --replicate "$urls" --replicas 1
start_nats 3 4340
run r3 --replicate "$urls" --replicas 3

python3 - "$work" "$rates" <<'PY'
import json, os, sys
work, rates = sys.argv[1], sys.argv[2].split()
names = {"single": "fsync, not replicated", "r1": "fsync + JetStream R1", "r3": "fsync + JetStream R3 (3 nodes)"}
print("| setup | offered orders/s | achieved orders/s | p50 µs | p99 µs | max µs | errors |")
print("|---|---:|---:|---:|---:|---:|---:|")
for label in ("single", "r1", "r3"):
    for r in rates:
        p = os.path.join(work, f"{label}-{r}.json")
        if not os.path.exists(p):
            print(f"| {names[label]} | {int(r):,} | (failed) | | | | |")
            continue
        j = json.load(open(p))
        lat = j["latency"]
        print(f"| {names[label]} | {int(r):,} | {j['orders_per_s']:,.0f} | {lat['p50_us']:,.0f} "
              f"| {lat['p99_us']:,.0f} | {lat['max_us']:,.0f} | {j['errors'] + j['unanswered']} |")
PY

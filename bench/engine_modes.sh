#!/usr/bin/env bash
# The engine thread against the engine on the I/O thread (credo-server --engine-inline, issue 12):
# for each mode, a fresh server (10,000 customers, 1,000 products, 3-line orders, manual clock)
# measured three ways, each RUNS times:
#   round trip   1 connection, 1 request in flight (closed loop): p50/p99 of one order
#   open 1k      1,000 orders/s over 16 connections: p50/p99 from each intended send time
#   closed       16 connections x 64 in flight: orders/s, without and with --durability fsync
#
#   bench/engine_modes.sh                 3 runs of 3 s each
#   RUNS=5 DURATION=10 bench/engine_modes.sh
# Environment: CREDO_BUILD (default build/), BENCH_DIR (default /var/tmp: a real disk for fsync).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then sed -n 2,12p "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
runs=${RUNS:-3}; dur=${DURATION:-3}
build=${CREDO_BUILD:-build}
server=$build/bin/credo-server; loadgen=$build/bin/credo-loadgen
for b in "$server" "$loadgen"; do
  [ -x "$b" ] || { echo "engine_modes: build $b first (ninja -C $build)" >&2; exit 1; }
done
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/credo-modes-XXXXXX")
port=${PORT:-7494}
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_keys "$work"
lg=(--port "$port" --key bench-order --customers 10000 --products 1000 --lines 3 --duration "$dur")

# start MODE [server flags...]: a fresh server with the loadgen's dataset.
start() {
  rm -rf "$work/data"
  "$server" --port "$port" --keys "$work/keys.json" --clock manual "$@" >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$work/server.log" && break; sleep 0.1; done
  "$loadgen" --port "$port" --customers 10000 --products 1000 --setup --admin-key bench-admin \
    --key bench-order --duration 0.5 >/dev/null 2>&1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
# The last run's loadgen JSON as "p50 p99 orders/s".
field() { python3 -c "import json,sys;d=json.load(open(sys.argv[1]));l=d['latency'];print(f\"{l['p50_us']:.0f} {l['p99_us']:.0f} {d['orders_per_s']:.0f}\")" "$work/run.json"; }

printf '| mode | round trip p50 / p99 µs | open 1k/s p50 / p99 µs | closed none orders/s | closed fsync orders/s |\n'
printf '|---|---|---|---:|---:|\n'
for run in $(seq "$runs"); do
  for mode in --engine-thread --engine-inline; do
    echo "engine_modes: run $run, $mode" >&2
    start "$mode"
    "$loadgen" "${lg[@]}" --connections 1 --pipeline 1 --json "$work/run.json" >/dev/null 2>&1
    read -r rt50 rt99 _ < <(field)
    "$loadgen" "${lg[@]}" --connections 16 --pipeline 1024 --rate 1000 --json "$work/run.json" >/dev/null 2>&1
    read -r o50 o99 _ < <(field)
    "$loadgen" "${lg[@]}" --connections 16 --pipeline 64 --json "$work/run.json" >/dev/null 2>&1
    read -r _ _ cnone < <(field)
    stop
    start "$mode" --data "$work/data" --durability fsync
    "$loadgen" "${lg[@]}" --connections 16 --pipeline 64 --json "$work/run.json" >/dev/null 2>&1
    read -r _ _ cfsync < <(field)
    stop
    printf '| %s | %s / %s | %s / %s | %s | %s |\n' "${mode#--engine-}" "$rt50" "$rt99" "$o50" "$o99" "$cnone" "$cfsync"
  done
done

#!/usr/bin/env bash
# Open-loop latency table (issue 12): credo-server under credo-loadgen at fixed offered rates,
# without and with fsync durability, plus the disk's own fdatasync latency measured in the same
# run (a floor for every --durability fsync figure), and the loopback's own request/reply latency
# at each rate with no server work (build/bin/loopback_floor: a floor for every figure). Prints a
# markdown table.
#
#   bench/latency.sh             rates 1k, 20k, 100k orders/s x durability none, fsync; 10 s each
#   bench/latency.sh --quick     3 s each
#
# Workload: 16 connections, 10,000 customers, 1,000 products, 3-line orders (the loadgen's
# default mix: ~5 % held at the credit limit, ~2 % a line out of stock, ~3 % asking a discount).
# Environment: CREDO_BUILD (default build/) for the binaries; BENCH_DIR (default /var/tmp) for
# the data directory (must be on a real disk, or fsync costs nothing); RATES, DURATION override;
# CREDO_SERVER runs another credo-server binary (an older build, for a before/after table);
# SERVER_ARGS adds flags to it (e.g. SERVER_ARGS=--engine-thread for the two-thread mode).
set -euo pipefail
cd "$(dirname "$0")/.."

dur=${DURATION:-10}; warm=2
if [ "${1:-}" = "--quick" ]; then dur=3; warm=1; fi
rates=${RATES:-"1000 20000 100000"}
build=${CREDO_BUILD:-build}
server=${CREDO_SERVER:-$build/bin/credo-server}; loadgen=$build/bin/credo-loadgen; cli=$build/bin/credo-cli
floor=$build/bin/loopback_floor
for b in "$server" "$loadgen" "$cli" "$floor"; do
  [ -x "$b" ] || { echo "latency: build $b first (ninja -C $build)" >&2; exit 1; }
done
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/credo-latency-XXXXXX")
port=${PORT:-7493}
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -z "${KEEP:-}" ] && rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_keys "$work"
lg=(--port "$port" --connections 16 --customers 10000 --products 1000 --lines 3)

# The disk: 500 x (write 4 KiB, fdatasync), the size of a small group commit.
python3 - "$work" >"$work/disk.txt" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], "fdatasync.probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
block = b"x" * 4096
times = []
for _ in range(500):
    os.write(fd, block)
    t = time.perf_counter()
    os.fdatasync(fd)
    times.append(time.perf_counter() - t)
os.close(fd)
times.sort()
print(f"{times[len(times) // 2] * 1e6:.0f} {times[int(len(times) * 0.99)] * 1e6:.0f}")
PY
read -r disk_p50 disk_p99 <"$work/disk.txt"

# The loopback: the same rates and connections against an echo server that does nothing.
for rate in $rates; do
  echo "latency: loopback floor at $rate requests/s" >&2
  "$floor" --rate "$rate" --connections 16 --duration "$dur" >"$work/floor-$rate.txt" ||
    echo "latency: the floor run failed (exit $?)" >&2
done

for durability in none fsync; do
  rm -rf "$work/data"; mkdir -p "$work/data"
  data=(); [ "$durability" = fsync ] && data=(--data "$work/data" --durability fsync)
  # shellcheck disable=SC2086 # SERVER_ARGS is a list of flags
  "$server" --port "$port" --keys "$work/keys.json" --clock manual "${data[@]}" ${SERVER_ARGS:-} \
    >"$work/server-$durability.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$work/server-$durability.log" && break; sleep 0.1; done
  "$loadgen" "${lg[@]}" --setup --admin-key bench-admin --key bench-order --duration 0.5 \
    >/dev/null 2>&1
  for rate in $rates; do
    echo "latency: $durability at $rate orders/s" >&2
    "$loadgen" "${lg[@]}" --key bench-order --pipeline 1024 --rate "$rate" --duration "$dur" \
      --warmup "$warm" --json "$work/$durability-$rate.json" >/dev/null 2>&1 ||
      echo "latency: that run failed (exit $?)" >&2
  done
  # The server's own view of the run: its longest engine step (the stall detector).
  "$cli" --port "$port" --key bench-admin '{"op":"stats"}' \
    >"$work/stats-$durability.txt" 2>/dev/null || true
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done

python3 - "$work" "$rates" "$disk_p50" "$disk_p99" <<'PY'
import json, os, sys
work, rates, disk_p50, disk_p99 = sys.argv[1], sys.argv[2].split(), sys.argv[3], sys.argv[4]
print("| durability | offered orders/s | achieved orders/s | p50 µs | p99 µs | p99.9 µs | max µs | errors |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for d in ("none", "fsync"):
    for r in rates:
        p = os.path.join(work, f"{d}-{r}.json")
        if not os.path.exists(p):
            print(f"| {d} | {int(r):,} | (failed) | | | | | |")
            continue
        j = json.load(open(p))
        lat = j["latency"]
        print(f"| {d} | {int(r):,} | {j['orders_per_s']:,.0f} | {lat['p50_us']:,.0f} | {lat['p99_us']:,.0f} "
              f"| {lat['p999_us']:,.0f} | {lat['max_us']:,.0f} | {j['errors'] + j['unanswered']} |")
print()
print(f"Disk: fdatasync of 4 KiB, p50 {int(disk_p50):,} µs, p99 {int(disk_p99):,} µs (500 samples).")
import re
for r in rates:
    p = os.path.join(work, f"floor-{r}.txt")
    m = re.search(r"p50 ([0-9.]+) us, p99 ([0-9.]+) us, p99.9 ([0-9.]+) us", open(p).read()) if os.path.exists(p) else None
    if m:
        print(f"Loopback floor at {int(r):,}/s (echo server, no work): p50 {float(m[1]):,.0f} µs, "
              f"p99 {float(m[2]):,.0f} µs, p99.9 {float(m[3]):,.0f} µs.")
for d in ("none", "fsync"):
    for line in open(os.path.join(work, f"stats-{d}.txt"), errors="replace"):
        if '"engine_steps"' in line:
            s = json.loads(line)["engine_steps"]
            print(f"Engine steps ({d}): {s['count']:,}, longest {s['max_us']:,} µs ({s['max_op']}), "
                  f"over 1 ms (2^10 us): {sum(s['buckets_us'][11:])}.")
PY

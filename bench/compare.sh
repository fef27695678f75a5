#!/usr/bin/env bash
# Side-by-side benchmark: credo vs PostgreSQL vs Redis, same order workload, same dataset,
# same durability (every answer is on disk before it is sent). See bench/compare.md for the
# recorded results and the fairness notes.
#
#   bench/compare.sh            3 runs of each measurement, medians reported (< 10 minutes)
#   bench/compare.sh --quick    1 short run of each (< 3 minutes)
#
# Environment: CREDO_BUILD (default build/) for the binaries; BENCH_DIR (default /var/tmp) for
# the data directories (must be on a real disk, or fsync costs nothing); CONNECTIONS, PIPELINE,
# PG_CLIENTS override the client settings.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

runs=3; dur=8; warm=1; rates="1000 10000"; credo_rates="1000 10000 100000"
if [ "${1:-}" = "--quick" ]; then runs=1; dur=3; warm=1; rates="10000"; credo_rates="10000 100000"; fi
conns=${CONNECTIONS:-32}; pipe=${PIPELINE:-64}; pg_clients=${PG_CLIENTS:-64}
ncust=${NCUST:-10000}; nprod=${NPROD:-10000}
build=${CREDO_BUILD:-build}
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/credo-compare-XXXXXX")
chmod 755 "$work"  # the postgres user keeps its cluster and logs in here
credo_port=7491; redis_port=6491; pg_port=5491

# ---- what it needs ---------------------------------------------------------------------------
need=()
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/postgres ] || command -v pgbench >/dev/null || need+=(postgresql postgresql-contrib)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "compare: installing ${need[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts the packaged services; the benchmark runs its own on other ports.
fi
if [ ! -x "$build/bin/credo-server" ] || [ ! -x "$build/bin/credo-loadgen" ]; then
  echo "compare: building credo (scripts/setup.sh)"
  scripts/setup.sh
  build=build
fi
server=$build/bin/credo-server; loadgen=$build/bin/credo-loadgen
pgbench=/usr/lib/postgresql/15/bin/pgbench; [ -x "$pgbench" ] || pgbench=$(command -v pgbench)

cleanup() {
  [ -n "${credo_pid:-}" ] && kill "$credo_pid" 2>/dev/null && wait "$credo_pid" 2>/dev/null
  bench/peers/redis.sh stop "$work/redis" 2>/dev/null || true
  bench/peers/postgres.sh stop "$work/pg" 2>/dev/null || true
  [ -z "${KEEP:-}" ] && rm -rf "$work"
}
trap cleanup EXIT
echo "compare: work dir $work, $runs run(s) x ${dur}s (+${warm}s warmup) each, dataset $ncust customers, $nprod products"

lg_common=(--duration "$dur" --warmup "$warm" --customers "$ncust" --products "$nprod" --lines 3)

# ---- credo -----------------------------------------------------------------------------------
mkdir -p "$work/credo/data"
cat >"$work/credo/keys.json" <<KEYS
{"keys":[{"key":"bench-admin","principal":"bench-admin","roles":["admin"],"level":3},
         {"key":"bench-order","principal":"bench-order","roles":["order"],"level":0}]}
KEYS
chmod 600 "$work/credo/keys.json"
"$server" --port $credo_port --keys "$work/credo/keys.json" --clock manual \
  --data "$work/credo/data" --durability fsync >"$work/credo/server.log" 2>&1 &
credo_pid=$!
for _ in $(seq 100); do grep -q listening "$work/credo/server.log" && break; sleep 0.1; done
"$loadgen" --port $credo_port --setup --admin-key bench-admin --key bench-order \
  --duration 0.5 --customers "$ncust" --products "$nprod" >/dev/null 2>&1
for r in $(seq "$runs"); do
  echo "compare: credo closed loop, run $r"
  "$loadgen" --port $credo_port --key bench-order "${lg_common[@]}" --connections "$conns" \
    --pipeline "$pipe" --json "$work/credo-closed-$r.json" >/dev/null 2>&1 || echo "compare: that run failed (exit $?)"
  for rate in $credo_rates; do
    echo "compare: credo open loop at $rate/s, run $r"
    "$loadgen" --port $credo_port --key bench-order "${lg_common[@]}" --connections "$conns" \
      --pipeline 1024 --rate "$rate" --json "$work/credo-open$rate-$r.json" >/dev/null 2>&1 || echo "compare: that run failed (exit $?)"
  done
done
kill "$credo_pid"; wait "$credo_pid" 2>/dev/null || true; credo_pid=

# ---- Redis -----------------------------------------------------------------------------------
bench/peers/redis.sh start "$work/redis" $redis_port
redis_lg=(--protocol redis --port $redis_port --redis-script bench/peers/redis_order.lua)
"$loadgen" "${redis_lg[@]}" --setup --duration 0.5 --customers "$ncust" --products "$nprod" >/dev/null 2>&1
for r in $(seq "$runs"); do
  echo "compare: redis closed loop, run $r"
  "$loadgen" "${redis_lg[@]}" "${lg_common[@]}" --connections "$conns" --pipeline "$pipe" \
    --json "$work/redis-closed-$r.json" >/dev/null 2>&1 || echo "compare: that run failed (exit $?)"
  for rate in $rates; do
    echo "compare: redis open loop at $rate/s, run $r"
    "$loadgen" "${redis_lg[@]}" "${lg_common[@]}" --connections "$conns" --pipeline 1024 \
      --rate "$rate" --json "$work/redis-open$rate-$r.json" >/dev/null 2>&1 || echo "compare: that run failed (exit $?)"
  done
done
bench/peers/redis.sh stop "$work/redis"

# ---- PostgreSQL ------------------------------------------------------------------------------
bench/peers/postgres.sh start "$work/pg" $pg_port
bench/peers/postgres.sh load "$work/pg" $pg_port "$ncust" "$nprod"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_run() {  # name, extra pgbench args...
  local name=$1; shift
  mkdir -p "$work/pglog/$name"; [ "$(id -u)" -eq 0 ] && chown postgres: "$work/pglog/$name"
  (cd "$work/pglog/$name" && as_pg "$pgbench" -h 127.0.0.1 -p $pg_port -U bench -n -M prepared \
    -j 2 -T "$((dur + warm))" -D ncust="$ncust" -D nprod="$nprod" \
    -f "$root/bench/peers/pg_order.pgbench" --log --log-prefix=tx "$@" postgres \
    >"$work/pglog/$name.out" 2>&1)
  python3 bench/peers/pgbench_report.py "$work/pglog/$name" "$warm" >"$work/$name.json"
}
for r in $(seq "$runs"); do
  echo "compare: postgres closed loop, run $r"
  pg_run "pg-closed-$r" -c "$pg_clients"
  for rate in $rates; do
    echo "compare: postgres open loop at $rate/s, run $r"
    pg_run "pg-open$rate-$r" -c "$pg_clients" -R "$rate"
  done
done
bench/peers/postgres.sh stop "$work/pg"

# ---- the table -------------------------------------------------------------------------------
python3 bench/peers/compare_table.py "$work" "$runs" "$rates" "$credo_rates"

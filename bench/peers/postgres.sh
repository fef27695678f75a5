#!/usr/bin/env bash
# PostgreSQL peer for bench/compare.sh: a throwaway cluster on loopback, run by the unprivileged
# `postgres` user, with commit durability equal to credo's --durability fsync
# (fsync=on, synchronous_commit=on: a COMMIT returns after its WAL is flushed to disk).
#
#   peers/postgres.sh start DIR PORT      initdb into DIR, start on 127.0.0.1:PORT
#   peers/postgres.sh load DIR PORT NCUST NPROD   schema, dataset and submit_order()
#   peers/postgres.sh stop DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/postgres" ] || bin="$(dirname "$(readlink -f "$(command -v postgres || echo /nonexistent)")")"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cmd=$1; dir=$2
case "$cmd" in
  start)
    port=$3
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_pg "$bin/initdb" -D "$dir/pgdata" -U bench --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
    # Settings that affect speed, all listed in bench/compare.md. Durability: fsync and
    # synchronous_commit on (the defaults). Group commit happens by itself with many clients.
    as_pg "$bin/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -w -t 60 start -o \
      "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir \
       -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c wal_sync_method=fdatasync \
       -c max_connections=200 -c shared_buffers=1GB -c max_wal_size=8GB \
       -c checkpoint_timeout=30min -c autovacuum=off -c jit=off" >/dev/null
    ;;
  load)
    port=$3; ncust=$4; nprod=$5
    as_pg "$bin/psql" -q -h 127.0.0.1 -p "$port" -U bench -d postgres -v ON_ERROR_STOP=1 \
      -v ncust="$ncust" -v nprod="$nprod" -f "$here/pg_schema.sql" >/dev/null
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir/pgdata" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|load|stop DIR ..." >&2; exit 2 ;;
esac

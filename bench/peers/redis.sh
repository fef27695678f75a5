#!/usr/bin/env bash
# Redis peer for bench/compare.sh: a throwaway redis-server on loopback with commit durability
# equal to credo's --durability fsync (appendonly yes, appendfsync always: a write's reply
# leaves after the AOF is fsynced; Redis fsyncs once per event-loop round, a group commit).
#
#   peers/redis.sh start DIR PORT
#   peers/redis.sh stop DIR
# The dataset and the order script (redis_order.lua) are loaded by
# credo-loadgen --protocol redis --setup --redis-script bench/peers/redis_order.lua.
set -euo pipefail
cmd=$1; dir=$2
case "$cmd" in
  start)
    port=$3
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
      --appendonly yes --appendfsync always --save "" --protected-mode yes \
      --auto-aof-rewrite-percentage 0 \
      --io-threads 1 --maxclients 1000
    for _ in $(seq 50); do
      redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && exit 0
      sleep 0.1
    done
    echo "redis did not start; see $dir/redis.log" >&2; exit 1
    ;;
  stop)
    if [ -f "$dir/redis.pid" ]; then
      pid=$(cat "$dir/redis.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    ;;
  *) echo "usage: $0 start|stop DIR ..." >&2; exit 2 ;;
esac

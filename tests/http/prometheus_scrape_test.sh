#!/usr/bin/env bash
# A real Prometheus scrapes credo-server's GET /metrics and the test queries metrics back through
# Prometheus's HTTP API (issue 15: "a test that starts a real Prometheus server on loopback
# scraping credo").
#
#   tests/http/prometheus_scrape_test.sh build/bin/credo-server   (CTest: starts its own server)
#   tests/http/prometheus_scrape_test.sh --port 7480               (a server already running)
#
# Starts credo-server (--demo, free ports) and Prometheus (Debian package prometheus) on loopback
# with a temporary data directory, stops both by pid. Exit status 0 when Prometheus scraped credo
# (up == 1), an order submitted over HTTP shows in credo_orders_total, and the HTTP edge's
# credo_connections_accepted_total came back through the query API.
set -euo pipefail

server_bin="" http_port=""
if [ "${1:-}" = "--port" ]; then http_port="${2:?--port needs a port}"; else server_bin="${1:?usage: $0 CREDO_SERVER_BIN | --port HTTP_PORT}"; fi
command -v prometheus >/dev/null || { echo "prometheus not installed (Debian package prometheus)" >&2; exit 2; }

dir="$(mktemp -d)"
prom_pid="" server_pid=""
cleanup() {
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

if [ -n "$server_bin" ]; then
  "$server_bin" --port 0 --demo --clock manual >"$dir/credo.out" 2>"$dir/credo.err" &
  server_pid=$!
  for _ in $(seq 1 200); do
    grep -q "listening on" "$dir/credo.out" 2>/dev/null && break
    sleep 0.05
  done
  http_port=$(sed -n 's/.*  http: [^ ]*:\([0-9]*\).*/\1/p' "$dir/credo.out" | head -1)
  [ -n "$http_port" ] || { echo "credo-server did not start:"; cat "$dir/credo.err"; exit 1; }
  # One decided order over HTTP, so credo_orders_total has a sample to query back.
  curl -fsS -X POST "http://127.0.0.1:${http_port}/v1/orders" -H 'Authorization: Bearer demo-order' \
    -H 'Content-Type: application/json' -H 'Expect:' \
    -d '{"client_order_id":"PROM-1","customer":"C1001","lines":[{"sku":"BOLT-M8","qty":1}]}' >/dev/null
fi

# A free port for Prometheus itself.
prom_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

cat > "$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: credo
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:${http_port}"]
YAML

prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address="127.0.0.1:${prom_port}" >"$dir/prometheus.log" 2>&1 &
prom_pid=$!

query() {
  curl -fsS --get "http://127.0.0.1:${prom_port}/api/v1/query" --data-urlencode "query=$1"
}

# Up to 30 s for Prometheus to start and scrape twice.
for _ in $(seq 1 60); do
  sleep 0.5
  if out="$(query 'up{job="credo"}' 2>/dev/null)" && grep -q '"value":\[[^]]*,"1"\]' <<<"$out"; then
    if out2="$(query 'credo_connections_accepted_total{protocol="http"} > 0' 2>/dev/null)" &&
       grep -q '"result":\[{' <<<"$out2"; then
      if [ -z "$server_bin" ]; then echo "ok: Prometheus scraped credo: $out2"; exit 0; fi
      if out3="$(query 'sum(credo_orders_total) >= 1' 2>/dev/null)" &&
         grep -q '"result":\[{' <<<"$out3"; then
        echo "ok: Prometheus scraped credo: $out2 $out3"
        exit 0
      fi
    fi
  fi
done
echo "Prometheus did not scrape credo on 127.0.0.1:${http_port}" >&2
tail -20 "$dir/prometheus.log" >&2
query 'up' >&2 || true
exit 1

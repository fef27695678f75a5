#!/usr/bin/env bash
# A real Prometheus scrapes credo-server's GET /metrics and we query a metric back through
# Prometheus's HTTP API. Needs the HTTP edge (credo-server --http-port): run it against a server
# that is already running, e.g.
#
#   credo-server --demo --http-port 7480 &
#   scripts/prometheus-scrape-test.sh 7480
#
# Not registered in CTest (it needs the HTTP edge's port); the HTTP edge's test suite runs it
# against a server it started. Starts Prometheus (Debian package prometheus) on a free loopback
# port with a temporary data directory, stops it by pid. Exit status 0 when Prometheus scraped
# credo (up == 1) and credo_connections_accepted_total came back through the query API.
set -euo pipefail

http_port="${1:?usage: $0 CREDO_HTTP_PORT}"
command -v prometheus >/dev/null || { echo "prometheus not installed (Debian package prometheus)" >&2; exit 2; }

dir="$(mktemp -d)"
prom_pid=""
cleanup() {
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

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
    if out2="$(query 'credo_connections_accepted_total{protocol="http"}' 2>/dev/null)" &&
       grep -q '"result":\[{' <<<"$out2"; then
      echo "ok: Prometheus scraped credo: $out2"
      exit 0
    fi
  fi
done
echo "Prometheus did not scrape credo on 127.0.0.1:${http_port}" >&2
tail -20 "$dir/prometheus.log" >&2
query 'up' >&2 || true
exit 1

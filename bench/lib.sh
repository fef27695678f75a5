# shellcheck shell=bash
# Shared by the bench scripts (sourced, not run).

# bench_keys DIR: writes DIR/keys.json with the benchmarks' two keys, bench-admin (admin, level
# 3: --setup) and bench-order (order, level 0: the load), readable by the owner only (the server
# refuses a keys file others can read).
bench_keys() {
  cat >"$1/keys.json" <<KEYS
{"keys":[{"key":"bench-admin","principal":"bench-admin","roles":["admin"],"level":3},
         {"key":"bench-order","principal":"bench-order","roles":["order"],"level":0}]}
KEYS
  chmod 600 "$1/keys.json"
}

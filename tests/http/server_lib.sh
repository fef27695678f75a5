# Sourced by the HTTP edge's script tests: starts credo-server on free loopback ports.
# Needs $server_bin (the binary), $dir (a temp dir) and the array pids (stopped by the caller's
# cleanup trap); defines fail() unless the test has its own.
declare -F fail >/dev/null || fail() { echo "FAIL: $*"; exit 1; }

# start <name> <args...>: starts `credo-server --port 0 --demo --clock manual <args>`, sets
# HTTP_PORT from its startup line ("  http: host:port").
start() {
  local name=$1
  shift
  "$server_bin" --port 0 --demo --clock manual "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
  pids+=($!)
  for _ in $(seq 1 200); do
    if grep -q "listening on" "$dir/$name.out" 2>/dev/null; then
      HTTP_PORT=$(sed -n 's/.*  http: [^ ]*:\([0-9]*\).*/\1/p' "$dir/$name.out" | head -1)
      return 0
    fi
    sleep 0.05
  done
  echo "server $name did not start:"; cat "$dir/$name.err"; exit 1
}

#!/usr/bin/env bash
# TLS on the HTTP edge (--tls-cert/--tls-key, and --tls-client-ca for mutual TLS: the same context
# as the TCP listener's), with the real curl against the real credo-server. Certificates are made
# at test time with the openssl CLI; servers on free loopback ports, temp dir, stopped by pid.
#
#   tests/http/https_test.sh build/bin/credo-server
set -euo pipefail
server_bin="${1:?usage: $0 CREDO_SERVER_BIN}"
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

(
  cd "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=credo test CA' -keyout ca.key -out ca.pem
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=other CA' -keyout other.key -out other.pem
  openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout server.key -out server.csr
  printf 'subjectAltName=IP:127.0.0.1\n' > san.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.pem
  openssl req -newkey rsa:2048 -nodes -subj '/CN=checkout' -keyout client.key -out client.csr
  openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out client.pem
) >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log"; fail "openssl could not make the test certificates"; }

# start NAME ARGS...: a server on free ports; sets HTTP_PORT.
source "$(dirname "$0")/server_lib.sh"
order='{"client_order_id":"TLS-1","customer":"C1001","lines":[{"sku":"BOLT-M8","qty":1}]}'

# 1. TLS: an order over https with the right CA is decided.
start tls --tls-cert "$dir/server.pem" --tls-key "$dir/server.key"
out=$(curl -sS --cacert "$dir/ca.pem" -X POST "https://127.0.0.1:$HTTP_PORT/v1/orders" \
  -H 'Authorization: Bearer demo-order' -H 'Expect:' -d "$order")
grep -q '"status":"accepted"' <<<"$out" || fail "order over https: $out"
echo "ok: an order over https is decided: ${out:0:80}..."
# 2. The wrong CA: curl refuses the server's certificate.
if curl -sS --cacert "$dir/other.pem" "https://127.0.0.1:$HTTP_PORT/healthz" 2>"$dir/curl.err"; then
  fail "a certificate from the wrong CA was accepted"
fi
grep -qi "certificate" "$dir/curl.err" || fail "unexpected error with the wrong CA: $(cat "$dir/curl.err")"
echo "ok: the wrong CA is refused"
# 3. Plain HTTP on the TLS port gets no HTTP answer.
if curl -sS --max-time 5 "http://127.0.0.1:$HTTP_PORT/healthz" >"$dir/plain.out" 2>/dev/null &&
   grep -q '"ok":true' "$dir/plain.out"; then
  fail "plain HTTP was answered on the TLS port"
fi
echo "ok: plain HTTP on the TLS port is not answered"

# 4. Mutual TLS: without a client certificate the handshake fails; with one it works.
start mtls --tls-cert "$dir/server.pem" --tls-key "$dir/server.key" --tls-client-ca "$dir/ca.pem"
if curl -sS --max-time 5 --cacert "$dir/ca.pem" "https://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1; then
  fail "mutual TLS accepted a client without a certificate"
fi
echo "ok: mutual TLS refuses a client without a certificate"
out=$(curl -sS --cacert "$dir/ca.pem" --cert "$dir/client.pem" --key "$dir/client.key" \
  "https://127.0.0.1:$HTTP_PORT/v1/customers/C1001" -H 'Authorization: Bearer demo-credit')
grep -q '"customer":"C1001"' <<<"$out" || fail "get_customer over mutual TLS: $out"
echo "ok: mutual TLS with a client certificate answers"
echo "all https checks passed"

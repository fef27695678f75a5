#!/usr/bin/env bash
# The HTTP edge against the real credo-server with curl (docs/http.md): every kind of route
# (path fields, query parameters, JSON body, Idempotency-Key), every error status, auth
# failures, a body over --max-line, malformed HTTP (bad request line, bad chunked encoding,
# header flood), a slow client, pipelining on one connection. Servers on free loopback ports,
# temp dir, stopped by pid.
#   usage: http_curl_test.sh <credo-server binary>
set -u
server_bin=${1:?usage: http_curl_test.sh <credo-server binary>}
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }

# start NAME ARGS...: a server on free ports; sets HTTP_PORT.
source "$(dirname "$0")/server_lib.sh"

# req <expected status> <label> <curl args...>: the body lands in $dir/body, headers in $dir/hdr.
req() {
  local want=$1 label=$2
  shift 2
  local got
  got=$(curl -sS -o "$dir/body" -D "$dir/hdr" -w '%{http_code}' -H 'Expect:' "$@")
  if [[ "$got" == "$want" ]]; then pass "$label ($got)"; else fail "$label: status $got, want $want; body: $(head -c 300 "$dir/body")"; fi
}
body_has() {  # body_has <label> <fixed string>
  if grep -qF -- "$2" "$dir/body"; then pass "$1"; else fail "$1: body lacks $2: $(head -c 300 "$dir/body")"; fi
}
hdr_has() {
  if grep -qiF -- "$2" "$dir/hdr"; then pass "$1"; else fail "$1: headers lack $2: $(cat "$dir/hdr")"; fi
}

start main --max-line 4096 --http-idle-timeout-ms 1000
base="http://127.0.0.1:$HTTP_PORT"
order=(-H 'Authorization: Bearer demo-order')
credit=(-H 'Authorization: Bearer demo-credit')
admin=(-H 'Authorization: Bearer demo-admin')
json=(-H 'Content-Type: application/json')

# ---- health and the document
req 200 "healthz" "$base/healthz"
req 200 "readyz" "$base/readyz"
body_has "readyz says ok" '"ok":true'
req 200 "openapi.json" "$base/v1/openapi.json"
body_has "openapi version" '"openapi":"3.0.3"'

# ---- route kinds
req 200 "path field: GET /v1/customers/{customer}" "${credit[@]}" "$base/v1/customers/C1001"
body_has "customer answer" '"customer":"C1001"'
req 200 "open op without a key: GET /v1/ping" "$base/v1/ping"
req 200 "JSON body: POST /v1/orders" "${order[@]}" "${json[@]}" "$base/v1/orders" \
  -d '{"customer":"C1001","client_order_id":"HTTP-1","lines":[{"sku":"BOLT-M8","qty":2}]}'
body_has "a decided order" '"status":"'
order_no=$(sed -n 's/.*"order_no":\([0-9]*\).*/\1/p' "$dir/body")
[[ -n "$order_no" ]] && pass "order_no $order_no" || fail "no order_no in $(cat "$dir/body")"
req 200 "Idempotency-Key: POST /v1/orders" "${order[@]}" "${json[@]}" -H 'Idempotency-Key: HTTP-2' \
  "$base/v1/orders" -d '{"customer":"C1001","lines":[{"sku":"NUT-M8","qty":1}]}'
body_has "the key became client_order_id" '"client_order_id":"HTTP-2"'
req 200 "path + client_order_id query: GET /v1/orders/{order_no}" "${order[@]}" "$base/v1/orders/$order_no"
body_has "the order by number" "\"order_no\":$order_no"
req 200 "query parameters: GET /v1/orders?customer=C1001&limit=5" "${order[@]}" "$base/v1/orders?customer=C1001&limit=5"
body_has "listed" "\"order_no\":$order_no"
req 200 "GET /v1/held" "${credit[@]}" "$base/v1/held"
req 200 "POST /v1/orders/quote" "${order[@]}" "${json[@]}" "$base/v1/orders/quote" \
  -d '{"customer":"C1001","lines":[{"sku":"BOLT-M8","qty":1}]}'
req 200 "GET /v1/admin/stats" "${admin[@]}" "$base/v1/admin/stats"
body_has "stats counts the edge's ops" '"submit_order"'
req 200 "PUT /v1/admin/clock" "${admin[@]}" -X PUT "${json[@]}" "$base/v1/admin/clock" -d '{"now":"2026-01-02T00:00:00Z"}'
req 200 "GET /v1/admin/state-hash" "${admin[@]}" "$base/v1/admin/state-hash"
body_has "a hash" '"hash":"'
req 200 "the envelope's id is echoed" "${credit[@]}" "$base/v1/customers/C1001?id=7"
body_has "id echoed" '"id":7'

# ---- every error status
req 400 "BAD_JSON" "${order[@]}" "${json[@]}" "$base/v1/orders" -d '{"customer":'
body_has "BAD_JSON code" '"code":"BAD_JSON"'
req 400 "BAD_REQUEST (the TCP edge's message)" "${order[@]}" "${json[@]}" "$base/v1/orders" -d '{"customer":"C1001"}'
body_has "BAD_REQUEST names the field" '"field":"lines"'
req 400 "a path field of the wrong type" "${order[@]}" "$base/v1/orders/abc"
body_has "order_no must be an integer" '"field":"order_no"'
req 401 "no key" "$base/v1/customers/C1001"
hdr_has "WWW-Authenticate on 401" 'WWW-Authenticate: Bearer'
req 401 "unknown key" -H 'Authorization: Bearer nope' "$base/v1/customers/C1001"
body_has "UNAUTHENTICATED" '"code":"UNAUTHENTICATED"'
if grep -q nope "$dir/main.out" "$dir/main.err" "$dir/body"; then fail "the key appears in a log or answer"; else pass "the key is never echoed or logged"; fi
req 401 "not a bearer credential" -H 'Authorization: Basic Zm9vOmJhcg==' "$base/v1/customers/C1001"
req 403 "FORBIDDEN: an order key sets credit" "${order[@]}" "${json[@]}" "$base/v1/customers/C1001/credit" -d '{"credit_limit":1}'
body_has "FORBIDDEN code" '"code":"FORBIDDEN"'
req 404 "NOT_FOUND: unknown customer" "${credit[@]}" "$base/v1/customers/NOBODY"
body_has "NOT_FOUND code" '"code":"NOT_FOUND"'
req 404 "no such path" "${credit[@]}" "$base/v1/nothing/here"
req 404 "outside /v1" "${credit[@]}" "$base/v2/customers/C1001"
req 405 "wrong method" "${credit[@]}" -X DELETE "$base/v1/customers/C1001"
hdr_has "Allow lists the methods" 'Allow: PUT, GET'
req 200 "POST /v1/orders/{order_no}/cancel" "${order[@]}" -X POST "$base/v1/orders/$order_no/cancel"
body_has "cancelled" '"status":"cancelled"'
req 409 "INVALID_STATE: cancel twice" "${order[@]}" -X POST "$base/v1/orders/$order_no/cancel"
body_has "INVALID_STATE code" '"code":"INVALID_STATE"'
finance=(-H 'Authorization: Bearer demo-finance')
req 200 "POST /v1/customers/{customer}/payments" "${finance[@]}" "${json[@]}" "$base/v1/customers/C1002/payments" \
  -d '{"payment_ref":"HTTP-PAY-1","amount":100}'
req 409 "DUPLICATE: the same payment_ref, another amount" "${finance[@]}" "${json[@]}" "$base/v1/customers/C1002/payments" \
  -d '{"payment_ref":"HTTP-PAY-1","amount":200}'
body_has "DUPLICATE code" '"code":"DUPLICATE"'
big=$(head -c 5000 /dev/zero | tr '\0' 'x')
req 413 "body over --max-line" "${order[@]}" "${json[@]}" "$base/v1/orders" -d "{\"ref\":\"$big\"}"
body_has "LINE_TOO_LONG code" '"code":"LINE_TOO_LONG"'

# ---- raw HTTP on a socket (bash's /dev/tcp)
raw() {  # raw <label> <expected status> <bytes (printf format)>
  local label=$1 want=$2 fmt=$3 got
  exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT"
  printf "$fmt" >&3
  got=$(timeout 5 head -c 12 <&3 | cut -c10-12)
  exec 3<&- 3>&-
  if [[ "$got" == "$want" ]]; then pass "$label ($got)"; else fail "$label: status '$got', want $want"; fi
}
raw "bad request line" 400 'GARBAGE\r\n\r\n'
raw "bad chunked encoding" 400 'POST /v1/orders/quote HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-order\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'
flood=""
for i in $(seq 1 400); do flood+="X-Flood-$i: $(printf '%0100d' 0)\r\n"; done
raw "header flood" 431 "GET /v1/ping HTTP/1.1\r\nHost: x\r\n${flood}\r\n"
# A slow client: half a request, then nothing for longer than --http-idle-timeout-ms (1 s).
exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT"
printf 'GET /v1/ping HTTP/1.1\r\nHo' >&3
got=$(timeout 5 head -c 12 <&3 | cut -c10-12)
exec 3<&- 3>&-
[[ "$got" == "408" ]] && pass "slow client gets 408" || fail "slow client: '$got', want 408"

# Pipelining: three requests in one write, three answers in request order.
exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT"
printf 'GET /v1/ping?id=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/customers/C1002?id=2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-credit\r\n\r\nGET /v1/ping?id=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
timeout 5 cat <&3 >"$dir/pipelined"
exec 3<&- 3>&-
ids=$(grep -o '"id":[0-9]' "$dir/pipelined" | tr -d '\n')
[[ "$ids" == '"id":1"id":2"id":3' ]] && pass "pipelined answers in order" || fail "pipelined: $ids"
[[ $(grep -c '^HTTP/1.1 200' "$dir/pipelined") == 3 ]] && pass "three 200s" || fail "pipelined statuses: $(grep '^HTTP' "$dir/pipelined")"

# Expect: 100-continue (curl sends it for bodies over 1 KiB): the server says 100 Continue, then
# answers the request.
note=$(printf 'x%.0s' $(seq 1 1500))
curl -sv -X POST "http://127.0.0.1:$HTTP_PORT/v1/orders/quote" -H 'Authorization: Bearer demo-order' \
  -H 'Expect: 100-continue' \
  -d "{\"customer\":\"C1001\",\"ref\":\"$note\",\"lines\":[{\"sku\":\"BOLT-M8\",\"qty\":1}]}" \
  >"$dir/continue.body" 2>"$dir/continue.err" || true
grep -q '< HTTP/1.1 100 Continue' "$dir/continue.err" && pass "Expect: 100-continue gets 100 Continue" ||
  fail "no 100 Continue: $(grep '^<' "$dir/continue.err" | head -3)"
grep -q '"ok":' "$dir/continue.body" && pass "... then the answer" || fail "after 100 Continue: $(cat "$dir/continue.body")"

# ---- 503 + Retry-After: a server whose engine queue takes nothing
start overloaded --max-queue 0
req 503 "OVERLOADED" -H 'Authorization: Bearer demo-credit' "http://127.0.0.1:$HTTP_PORT/v1/customers/C1001"
hdr_has "Retry-After on 503" 'Retry-After: 1'
body_has "OVERLOADED code" '"code":"OVERLOADED"'

# ---- no HTTP edge with --http-port 0
"$server_bin" --port 0 --http-port 0 --demo >"$dir/off.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do grep -q "listening on" "$dir/off.out" && break; sleep 0.05; done
grep -q "http: off" "$dir/off.out" && pass "--http-port 0 turns the edge off" || fail "--http-port 0: $(cat "$dir/off.out")"

if ((failures > 0)); then echo "$failures failure(s)"; exit 1; fi
echo "all passed"

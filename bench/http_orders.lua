-- wrk script: POST /v1/orders on credo's HTTP edge (docs/http.md), one fresh client_order_id per
-- request, against the loadgen's dataset (customers LC000001.., skus LP000001..; create it once
-- with `credo-loadgen --setup`). Key: the demo order key unless CREDO_KEY is set.
--   wrk -t1 -c16 -d10s -s bench/http_orders.lua http://127.0.0.1:7480
local key = os.getenv("CREDO_KEY") or "demo-order"
local counter = 0
local tag = tostring(os.time())
wrk.method = "POST"
wrk.path = "/v1/orders"
wrk.headers["Authorization"] = "Bearer " .. key
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local customer = string.format("LC%06d", (counter % 1000) + 1)
  local sku = string.format("LP%06d", (counter % 100) + 1)
  local body = string.format(
    '{"customer":"%s","client_order_id":"W%s-%d-%d","lines":[{"sku":"%s","qty":1}]}',
    customer, tag, math.random(1, 1000000000), counter, sku)
  return wrk.format(nil, nil, nil, body)
end

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("wrk: %d requests, %.0f/s, p50 %.0f us, p99 %.0f us, non-2xx %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), summary.errors.status))
end

-- credo's submit_order for the Redis peer benchmark: the same checks, reservations and record
-- keeping, done atomically by one EVALSHA (Redis runs a script alone, so no other command sees
-- a half-made order). Durability comes from the server: appendonly yes, appendfsync always
-- (the reply leaves only after the AOF write of its event-loop round is fsynced).
--
-- KEYS[1]      customer hash "c:<id>": limit, exposure, status (0 active, 1 on_hold, 2 blocked),
--              grade, oldest_due_day (0 = nothing unpaid)
-- KEYS[2..n]   product hashes "p:<sku>": price, floor, on_hand, reserved
-- ARGV[1]      client_order_id (idempotency, per customer)
-- ARGV[2]      submitter's approval level (0..3)
-- ARGV[3]      today, as a day number (the OVERDUE rule)
-- ARGV[4..]    per line: qty, unit price (-1 = list price)
-- Returns "A:<order_no>", "H:<order_no>", "R:<order_no>" (accepted, held, rejected) or
-- "D:<order_no>" for a duplicate client_order_id. Like credo, every decision gets a number and
-- is recorded, rejected ones too; only accepted and held orders reserve stock and exposure.
local approve_total_max = {10000000, 50000000, 500000000, -1}  -- per level; -1: no limit
local discount_max_bp = {0, 300, 1000, 10000}

local cust = KEYS[1]
local coid = ARGV[1]
local level = tonumber(ARGV[2])
local today = tonumber(ARGV[3])
local cid = string.sub(cust, 3)

local dup = redis.call('HGET', 'co:' .. cid, coid)
if dup then return 'D:' .. dup end

local order_no = redis.call('INCR', 'order_seq')
local c = redis.call('HMGET', cust, 'limit', 'exposure', 'status', 'grade', 'oldest_due_day')
local rejected, held = false, false
local reasons = {}
if not c[1] then
  rejected = true; reasons[#reasons + 1] = 'UNKNOWN_CUSTOMER'
else
  if c[3] == '2' then rejected = true; reasons[#reasons + 1] = 'CUSTOMER_BLOCKED' end
  if c[3] == '1' then held = true; reasons[#reasons + 1] = 'CUSTOMER_ON_HOLD' end
end

local total = 0
local nlines = #KEYS - 1
local qty, price = {}, {}
local max_bp = 0
for i = 1, nlines do
  local p = redis.call('HMGET', KEYS[i + 1], 'price', 'floor', 'on_hand', 'reserved')
  local q = tonumber(ARGV[2 + 2 * i])
  local up = tonumber(ARGV[3 + 2 * i])
  qty[i] = q
  if not p[1] then
    rejected = true; reasons[#reasons + 1] = 'UNKNOWN_SKU'
    price[i] = 0
  else
    local list = tonumber(p[1])
    if up < 0 then up = list end
    price[i] = up
    if up < tonumber(p[2]) then rejected = true; reasons[#reasons + 1] = 'BELOW_FLOOR_PRICE' end
    if up < list then
      local bp = math.floor((list - up) * 10000 / list)
      if bp > max_bp then max_bp = bp end
    end
    if tonumber(p[3]) - tonumber(p[4]) < q then
      rejected = true; reasons[#reasons + 1] = 'INSUFFICIENT_STOCK'
    end
  end
  total = total + q * price[i]
end

if c[1] then
  if c[4] == 'D' then held = true; reasons[#reasons + 1] = 'CREDIT_GRADE' end
  if tonumber(c[2]) + total > tonumber(c[1]) then
    held = true; reasons[#reasons + 1] = 'CREDIT_LIMIT'
  end
  local due = tonumber(c[5])
  if due > 0 and today > due then held = true; reasons[#reasons + 1] = 'OVERDUE' end
end
if max_bp > discount_max_bp[level + 1] then held = true; reasons[#reasons + 1] = 'PRICE_APPROVAL' end
local amax = approve_total_max[level + 1]
if amax >= 0 and total > amax then held = true; reasons[#reasons + 1] = 'AMOUNT_APPROVAL' end

local status = 'A'
if rejected then status = 'R' elseif held then status = 'H' end
if status ~= 'R' then
  for i = 1, nlines do redis.call('HINCRBY', KEYS[i + 1], 'reserved', qty[i]) end
  redis.call('HINCRBY', cust, 'exposure', total)
end
-- The order record: header and lines, as credo keeps them.
local lines = {}
for i = 1, nlines do
  lines[i] = string.sub(KEYS[i + 1], 3) .. ',' .. qty[i] .. ',' .. price[i]
end
redis.call('HSET', 'o:' .. order_no, 'customer', cid, 'client_order_id', coid, 'status', status,
           'total', total, 'reasons', table.concat(reasons, ','), 'lines',
           table.concat(lines, ';'))
redis.call('HSET', 'co:' .. cid, coid, order_no)
return status .. ':' .. order_no

-- credo's submit_order for the PostgreSQL peer benchmark: the same dataset as credo-loadgen
-- --setup (tools/loadgen/workload.h) and a PL/pgSQL function doing the same checks,
-- reservations and record keeping in one transaction. Run with psql -v ncust=N -v nprod=M.

CREATE TABLE customers (
  id text PRIMARY KEY,
  credit_limit bigint NOT NULL,
  exposure bigint NOT NULL DEFAULT 0,
  status smallint NOT NULL DEFAULT 0,      -- 0 active, 1 on_hold, 2 blocked
  grade char(1) NOT NULL DEFAULT 'A',
  oldest_due date                          -- oldest unpaid invoice's due date
);
CREATE TABLE products (
  sku text PRIMARY KEY,
  price bigint NOT NULL,
  floor_price bigint NOT NULL,
  on_hand bigint NOT NULL,
  reserved bigint NOT NULL DEFAULT 0
);
CREATE TABLE orders (
  order_no bigserial PRIMARY KEY,
  customer text NOT NULL,
  client_order_id text NOT NULL,
  status char(1) NOT NULL,                 -- A accepted, H held, R rejected
  reasons text[] NOT NULL,
  total bigint NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (customer, client_order_id)
);
CREATE TABLE order_lines (
  order_no bigint NOT NULL,
  line smallint NOT NULL,
  sku text NOT NULL,
  qty bigint NOT NULL,
  unit_price bigint NOT NULL,
  amount bigint NOT NULL,
  PRIMARY KEY (order_no, line)
);

-- The dataset: as credo-loadgen makes it (ids are 1-based, price formulas on the 0-based index).
INSERT INTO customers (id, credit_limit)
  SELECT 'LC' || lpad(i::text, 6, '0'), 1000000000000000 FROM generate_series(1, :ncust) i;
INSERT INTO customers (id, credit_limit)
  SELECT 'LT' || lpad(i::text, 4, '0'), 0 FROM generate_series(1, 16) i;
INSERT INTO products (sku, price, floor_price, on_hand)
  SELECT 'LP' || lpad(i::text, 6, '0'), 100 + ((i - 1) * 7919) % 9900,
         (100 + ((i - 1) * 7919) % 9900) * 90 / 100, 1000000000000
  FROM generate_series(1, :nprod) i;
INSERT INTO products (sku, price, floor_price, on_hand)
  SELECT 'LS' || lpad(i::text, 4, '0'), 1000, 900, 0 FROM generate_series(1, 4) i;
ANALYZE;

-- Decides one order like credo: every reason found; rejected orders reserve nothing but are
-- numbered and recorded; a duplicate (customer, client_order_id) returns the original.
CREATE FUNCTION submit_order(p_customer text, p_coid text, p_level int, p_skus text[],
                             p_qtys bigint[], p_prices bigint[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  approve_total_max bigint[] := ARRAY[10000000, 50000000, 500000000, -1];
  discount_max_bp int[] := ARRAY[0, 300, 1000, 10000];
  c customers%ROWTYPE;
  p products%ROWTYPE;
  v_reasons text[] := '{}';
  v_rejected bool := false;
  v_held bool := false;
  v_total bigint := 0;
  v_max_bp int := 0;
  v_price bigint;
  v_prices bigint[] := p_prices;
  v_no bigint;
  v_status char(1);
  n int := array_length(p_skus, 1);
BEGIN
  SELECT order_no, status INTO v_no, v_status FROM orders
    WHERE customer = p_customer AND client_order_id = p_coid;
  IF FOUND THEN RETURN 'D:' || v_no; END IF;

  SELECT * INTO c FROM customers WHERE id = p_customer FOR UPDATE;
  IF NOT FOUND THEN
    v_rejected := true; v_reasons := v_reasons || 'UNKNOWN_CUSTOMER'::text;
  ELSE
    IF c.status = 2 THEN v_rejected := true; v_reasons := v_reasons || 'CUSTOMER_BLOCKED'::text; END IF;
    IF c.status = 1 THEN v_held := true; v_reasons := v_reasons || 'CUSTOMER_ON_HOLD'::text; END IF;
  END IF;

  -- Lock the order's products in sku order (no deadlocks between concurrent orders).
  PERFORM 1 FROM products WHERE sku = ANY (p_skus) ORDER BY sku FOR UPDATE;
  FOR i IN 1 .. n LOOP
    SELECT * INTO p FROM products WHERE sku = p_skus[i];
    IF NOT FOUND THEN
      v_rejected := true; v_reasons := v_reasons || 'UNKNOWN_SKU'::text;
      v_prices[i] := 0;
      CONTINUE;
    END IF;
    v_price := CASE WHEN p_prices[i] < 0 THEN p.price ELSE p_prices[i] END;
    v_prices[i] := v_price;
    IF v_price < p.floor_price THEN
      v_rejected := true; v_reasons := v_reasons || 'BELOW_FLOOR_PRICE'::text;
    END IF;
    IF v_price < p.price THEN
      v_max_bp := greatest(v_max_bp, ((p.price - v_price) * 10000 / p.price)::int);
    END IF;
    IF p.on_hand - p.reserved < p_qtys[i] THEN
      v_rejected := true; v_reasons := v_reasons || 'INSUFFICIENT_STOCK'::text;
    END IF;
    v_total := v_total + p_qtys[i] * v_price;
  END LOOP;

  IF c.id IS NOT NULL THEN
    IF c.grade = 'D' THEN v_held := true; v_reasons := v_reasons || 'CREDIT_GRADE'::text; END IF;
    IF c.exposure + v_total > c.credit_limit THEN
      v_held := true; v_reasons := v_reasons || 'CREDIT_LIMIT'::text;
    END IF;
    IF c.oldest_due IS NOT NULL AND c.oldest_due < current_date THEN
      v_held := true; v_reasons := v_reasons || 'OVERDUE'::text;
    END IF;
  END IF;
  IF v_max_bp > discount_max_bp[p_level + 1] THEN
    v_held := true; v_reasons := v_reasons || 'PRICE_APPROVAL'::text;
  END IF;
  IF approve_total_max[p_level + 1] >= 0 AND v_total > approve_total_max[p_level + 1] THEN
    v_held := true; v_reasons := v_reasons || 'AMOUNT_APPROVAL'::text;
  END IF;

  v_status := CASE WHEN v_rejected THEN 'R' WHEN v_held THEN 'H' ELSE 'A' END;
  IF v_status <> 'R' THEN
    UPDATE products SET reserved = reserved + q.qty
      FROM unnest(p_skus, p_qtys) AS q(sku, qty) WHERE products.sku = q.sku;
    UPDATE customers SET exposure = exposure + v_total WHERE id = p_customer;
  END IF;
  INSERT INTO orders (customer, client_order_id, status, reasons, total)
    VALUES (p_customer, p_coid, v_status, v_reasons, v_total) RETURNING order_no INTO v_no;
  INSERT INTO order_lines (order_no, line, sku, qty, unit_price, amount)
    SELECT v_no, l.i, p_skus[l.i], p_qtys[l.i], v_prices[l.i], p_qtys[l.i] * v_prices[l.i]
    FROM generate_series(1, n) AS l(i);
  RETURN v_status || ':' || v_no;
END $$;

-- What pgbench calls (pg_order.pgbench): builds the ids of credo-loadgen's workload from the
-- random indexes, 3 lines on consecutive products like the loadgen's baskets.
CREATE FUNCTION bench_submit(tight bool, cust int, tcust int, prod int, nprod int, stockout bool,
                             sprod int, q1 int, q2 int, q3 int, up1 bigint, coid bigint)
RETURNS text LANGUAGE sql AS $$
  SELECT submit_order(
    CASE WHEN tight THEN 'LT' || lpad((tcust + 1)::text, 4, '0')
         ELSE 'LC' || lpad((cust + 1)::text, 6, '0') END,
    'pg-' || coid, 0,
    ARRAY['LP' || lpad(((prod) % nprod + 1)::text, 6, '0'),
          'LP' || lpad(((prod + 1) % nprod + 1)::text, 6, '0'),
          CASE WHEN stockout THEN 'LS' || lpad((sprod + 1)::text, 4, '0')
               ELSE 'LP' || lpad(((prod + 2) % nprod + 1)::text, 6, '0') END],
    ARRAY[q1, q2, q3]::bigint[], ARRAY[up1, -1, -1]::bigint[])
$$;

-- 0014: monthly order counts beside the daily ones, so a year-long state
-- heat map sums about 12 months and the days at its two ends instead of
-- 365 days of rows (measured in tests/bench/bench_reports.sh).
--
-- reports.order_rollup_months holds, per month, the sums of the
-- reports.order_rollup rows of that month, for the dimensions read over
-- long ranges (state).  A statement trigger on order_rollup keeps it: every
-- writer of the daily rows (the loader's delta, the SQL path, a recount)
-- moves the months in the same statement's transaction, so the two can
-- never disagree, whoever writes.

-- The daily table's columns, with the first day of a month for the day.
CREATE TABLE reports.order_rollup_months
  (LIKE reports.order_rollup INCLUDING DEFAULTS);
ALTER TABLE reports.order_rollup_months RENAME COLUMN day TO month;
ALTER TABLE reports.order_rollup_months
  ADD CHECK (month = date_trunc('month', month)),
  ADD PRIMARY KEY (client_id, product_category, dim, month, value, status);
CREATE INDEX order_rollup_months_empty ON reports.order_rollup_months (dim)
  WHERE orders = 0;
COMMENT ON TABLE reports.order_rollup_months IS
  'reports.order_rollup summed per month (dim state only), kept by a trigger on order_rollup';

-- Which dimensions get months: the one read over long ranges.
CREATE FUNCTION reports.monthly_dim(p_dim text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_dim = 'state'
$$;

-- Daily rows added and removed (an update is both), summed into their
-- months in key order like every writer; months that fall to zero go.
CREATE FUNCTION reports.order_months_add(p_added reports.order_rollup[],
                                         p_removed reports.order_rollup[])
RETURNS void LANGUAGE sql AS $$
  INSERT INTO reports.order_rollup_months AS m
         (client_id, product_category, dim, month, value, status, orders,
          revenue, chargebacks, refunds)
  SELECT client_id, product_category, dim, date_trunc('month', day)::date,
         value, status, sum(orders), sum(revenue), sum(chargebacks),
         sum(refunds)
    FROM (SELECT a.client_id, a.product_category, a.dim, a.day, a.value,
                 a.status, a.orders, a.revenue, a.chargebacks, a.refunds
            FROM unnest(p_added) a
          UNION ALL
          SELECT r.client_id, r.product_category, r.dim, r.day, r.value,
                 r.status, -r.orders, -r.revenue, -r.chargebacks, -r.refunds
            FROM unnest(p_removed) r) AS d
   GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(orders) <> 0 OR sum(revenue) <> 0 OR sum(chargebacks) <> 0
      OR sum(refunds) <> 0
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (client_id, product_category, dim, month, value, status)
  DO UPDATE SET orders = m.orders + EXCLUDED.orders,
                revenue = m.revenue + EXCLUDED.revenue,
                chargebacks = m.chargebacks + EXCLUDED.chargebacks,
                refunds = m.refunds + EXCLUDED.refunds;
  DELETE FROM reports.order_rollup_months WHERE orders = 0;
$$;

-- One function for the three triggers: each sees only the transition
-- tables its event declares.
CREATE FUNCTION reports.order_rollup_months_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  added reports.order_rollup[];
  removed reports.order_rollup[];
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT array_agg(n::reports.order_rollup) INTO added
      FROM new_rows n WHERE reports.monthly_dim(n.dim);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT array_agg(o::reports.order_rollup) INTO removed
      FROM old_rows o WHERE reports.monthly_dim(o.dim);
  END IF;
  IF added IS NOT NULL OR removed IS NOT NULL THEN
    PERFORM reports.order_months_add(added, removed);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER order_rollup_months_insert AFTER INSERT ON reports.order_rollup
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION reports.order_rollup_months_follow();
CREATE TRIGGER order_rollup_months_update AFTER UPDATE ON reports.order_rollup
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION reports.order_rollup_months_follow();
CREATE TRIGGER order_rollup_months_delete AFTER DELETE ON reports.order_rollup
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION reports.order_rollup_months_follow();

INSERT INTO reports.order_rollup_months
       (client_id, product_category, dim, month, value, status, orders,
        revenue, chargebacks, refunds)
SELECT client_id, product_category, dim, date_trunc('month', day)::date,
       value, status, sum(orders), sum(revenue), sum(chargebacks),
       sum(refunds)
  FROM reports.order_rollup
 WHERE reports.monthly_dim(dim)
 GROUP BY 1, 2, 3, 4, 5, 6;

-- The rows of one dimension over [p_from, p_to]: whole months from the
-- months, the days before the first and after the last whole month from
-- the days.  Three index ranges, whatever the length of the range.  An
-- inlined SQL function, so callers' plans see through it.
CREATE FUNCTION reports.order_rollup_range(p_client text, p_category text,
                                           p_dim text, p_from date,
                                           p_to date)
RETURNS TABLE (value text, status text, orders bigint, revenue numeric,
               chargebacks bigint, refunds bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH w AS (
    -- [m_from, m_to): the whole months inside the range (empty: equal).
    SELECT m_from, greatest(m_from, m_to) AS m_to
      FROM (SELECT (date_trunc('month', p_from - 1) + interval '1 month')::date
                     AS m_from,
                   date_trunc('month', p_to + 1)::date AS m_to) AS x
  )
  SELECT r.value, r.status, r.orders, r.revenue, r.chargebacks, r.refunds
    FROM reports.order_rollup r, w
   WHERE reports.monthly_dim(p_dim) AND r.client_id = p_client
     AND r.product_category = p_category AND r.dim = p_dim
     AND r.day >= p_from AND r.day < w.m_from AND r.day <= p_to
  UNION ALL
  SELECT m.value, m.status, m.orders, m.revenue, m.chargebacks, m.refunds
    FROM reports.order_rollup_months m, w
   WHERE reports.monthly_dim(p_dim) AND m.client_id = p_client
     AND m.product_category = p_category AND m.dim = p_dim
     AND m.month >= w.m_from AND m.month < w.m_to
  UNION ALL
  SELECT r.value, r.status, r.orders, r.revenue, r.chargebacks, r.refunds
    FROM reports.order_rollup r, w
   WHERE reports.monthly_dim(p_dim) AND r.client_id = p_client
     AND r.product_category = p_category AND r.dim = p_dim
     AND r.day >= w.m_to AND r.day >= p_from AND r.day <= p_to
  UNION ALL
  -- Dimensions without months: the days.
  SELECT r.value, r.status, r.orders, r.revenue, r.chargebacks, r.refunds
    FROM reports.order_rollup r
   WHERE NOT reports.monthly_dim(p_dim) AND r.client_id = p_client
     AND r.product_category = p_category AND r.dim = p_dim
     AND r.day BETWEEN p_from AND p_to
$$;

-- state-heatmap: one row per US state and DC for one brand over [$3, $4]
-- (billing state, each order once in its latest state); states without
-- orders are rows of zeros.  $1 client, $2 brand code, $5 the metric whose
-- figure is also given as `value` (orders|revenue|approval_rate|
-- decline_rate|customers).  Distinct customers are counted only when
-- asked for: they cannot be summed from daily counts.
WITH b AS (
  SELECT product_category FROM signalroom.brands WHERE code = $2
), counts AS (
  -- Whole months from the monthly rows, the days at both ends from the
  -- daily ones (reports.order_rollup_range; reports.state_heatmap shows
  -- the same per day): a year is about 12 months of rows, not 365 days.
  SELECT r.value AS state, sum(r.orders) AS orders,
         coalesce(sum(r.orders) FILTER (WHERE r.status <> 'DECLINED'), 0)
           AS approved,
         coalesce(sum(r.orders) FILTER (WHERE r.status = 'DECLINED'), 0)
           AS declined,
         coalesce(sum(r.revenue) FILTER (WHERE r.status = 'NEW'), 0)
           AS revenue
    FROM b, reports.order_rollup_range($1, b.product_category, 'state',
                                       $3::date, $4::date) r
   GROUP BY r.value
), customers AS (
  SELECT l.state, count(DISTINCT l.customer) AS customers
    FROM reports.orders_latest l
    JOIN signalroom.brands b ON b.product_category = l.product_category
   WHERE $5::text = 'customers' AND l.client_id = $1 AND b.code = $2
     AND l.day BETWEEN $3::date AND $4::date AND l.state IS NOT NULL
   GROUP BY l.state
), figures AS (
  SELECT s.code AS state, s.name AS state_name,
         coalesce(c.orders, 0)::bigint AS orders,
         coalesce(c.approved, 0)::bigint AS approved,
         coalesce(c.declined, 0)::bigint AS declined,
         round(coalesce(c.revenue, 0), 2) AS revenue,
         CASE WHEN c.orders > 0 THEN round(100.0 * c.approved / c.orders, 1)
              ELSE 0 END AS approval_rate,
         CASE WHEN c.orders > 0 THEN round(100.0 * c.declined / c.orders, 1)
              ELSE 0 END AS decline_rate,
         CASE WHEN $5::text = 'customers'
              THEN coalesce(cu.customers, 0) END AS customers
    FROM signalroom.us_states s
    LEFT JOIN counts c ON c.state = s.code
    LEFT JOIN customers cu ON cu.state = s.code
)
SELECT state, state_name,
       CASE $5::text
         WHEN 'orders' THEN orders::numeric
         WHEN 'revenue' THEN revenue
         WHEN 'approval_rate' THEN approval_rate
         WHEN 'decline_rate' THEN decline_rate
         WHEN 'customers' THEN customers::numeric
       END AS value,
       orders, approved, declined, revenue, approval_rate, decline_rate,
       customers
  FROM figures
 ORDER BY state

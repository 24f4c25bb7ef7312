-- state-heatmap's meta: the orders of [$3, $4] without a valid US state
-- (missing, or not a state code).  $1 client, $2 brand code.
SELECT coalesce(sum(r.orders), 0)::bigint AS orders,
       round(coalesce(sum(r.revenue) FILTER (WHERE r.status = 'NEW'), 0), 2)
         AS revenue
  FROM reports.order_rollup r
  JOIN signalroom.brands b ON b.product_category = r.product_category
 WHERE r.client_id = $1 AND b.code = $2 AND r.dim = 'state'
   AND r.day BETWEEN $3::date AND $4::date
   AND NOT EXISTS (SELECT 1 FROM signalroom.us_states s WHERE s.code = r.value)

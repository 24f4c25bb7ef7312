-- state-heatmap's meta: the orders of [$3, $4] without a valid US state
-- (missing, or not a state code).  $1 client, $2 brand code.
SELECT coalesce(sum(r.orders), 0)::bigint AS orders,
       round(coalesce(sum(r.revenue) FILTER (WHERE r.status = 'NEW'), 0), 2)
         AS revenue
  FROM signalroom.brands b,
       reports.order_rollup_range($1, b.product_category, 'state', $3::date,
                                  $4::date) r
 WHERE b.code = $2
   AND NOT EXISTS (SELECT 1 FROM signalroom.us_states s WHERE s.code = r.value)

-- state-heatmap's meta: the orders of [$3, $4] without a valid US state
-- (missing, or not a state code).  $1 client, $2 brand code.
SELECT coalesce(sum(o.orders), 0)::bigint AS orders,
       round(coalesce(sum(o.revenue) FILTER (WHERE o.status = 'NEW'), 0), 2)
         AS revenue
  FROM reports.order_days o
 WHERE o.client_id = $1 AND o.brand = $2 AND o.dim = 'state'
   AND o.day BETWEEN $3::date AND $4::date
   AND NOT EXISTS (SELECT 1 FROM signalroom.us_states s WHERE s.code = o.value)

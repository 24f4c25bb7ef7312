-- orders/by-state: NEW orders per US state, revenue and average order. $1
-- client, $2 brand code, [$3, $4] the days (the order's own date), each
-- order counted once in its latest state.
SELECT o.value AS state, sum(o.new_orders)::bigint AS orders,
       sum(o.revenue) AS revenue,
       round(sum(o.revenue) / nullif(sum(o.new_orders), 0), 2) AS avg_order
  FROM reports.orders_by_dimension o
  JOIN signalroom.us_states s ON s.code = o.value
 WHERE o.client_id = $1 AND o.brand = $2 AND o.dim = 'state'
   AND o.day BETWEEN $3::date AND $4::date
 GROUP BY o.value
HAVING sum(o.new_orders) > 0
 ORDER BY 3 DESC, 1

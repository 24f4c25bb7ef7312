-- orders/state-approval: per US state with more than 100 orders: approved,
-- declined, orders and revenue, the busiest first. $1 client, $2 brand
-- code, [$3, $4] the days (the order's own date), each order counted once
-- in its latest state.
SELECT o.value AS state, sum(o.approved)::bigint AS approved,
       sum(o.declined)::bigint AS declined, sum(o.orders)::bigint AS orders,
       sum(o.revenue) AS revenue
  FROM reports.orders_by_dimension o
  JOIN signalroom.us_states s ON s.code = o.value
 WHERE o.client_id = $1 AND o.brand = $2 AND o.dim = 'state'
   AND o.day BETWEEN $3::date AND $4::date
 GROUP BY o.value
HAVING sum(o.orders) > 100
 ORDER BY 4 DESC, 1

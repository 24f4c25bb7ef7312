-- orders/affiliate-approval: the 20 affiliates (affid; 'direct' for none)
-- with more than 100 orders and the highest approval rate. $1 client, $2
-- brand code, [$3, $4] the days (the order's own date), each order counted
-- once in its latest state.
SELECT value AS affiliate, sum(orders)::bigint AS orders,
       sum(approved)::bigint AS approved,
       round(100.0 * sum(approved) / sum(orders), 1) AS approval_rate
  FROM reports.orders_by_dimension
 WHERE client_id = $1 AND brand = $2 AND dim = 'affiliate'
   AND day BETWEEN $3::date AND $4::date
 GROUP BY value
HAVING sum(orders) > 100
 ORDER BY 4 DESC, 2 DESC, 1
 LIMIT 20

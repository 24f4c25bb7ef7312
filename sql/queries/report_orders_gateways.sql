-- orders/gateways: payment gateways (alias; 'unknown' for none) with more
-- than 100 attempts, the highest decline rate first. $1 client, $2 brand
-- code, [$3, $4] the days (the order's own date), each order counted once
-- in its latest state.
SELECT value AS gateway, sum(orders)::bigint AS attempts,
       sum(approved)::bigint AS approved, sum(declined)::bigint AS declined,
       round(100.0 * sum(declined) / sum(orders), 1) AS decline_rate
  FROM reports.orders_by_dimension
 WHERE client_id = $1 AND brand = $2 AND dim = 'gateway'
   AND day BETWEEN $3::date AND $4::date
 GROUP BY value
HAVING sum(orders) > 100
 ORDER BY 5 DESC, 1

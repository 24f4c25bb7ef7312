-- orders/status-breakdown: orders per latest status and their share. $1
-- client, $2 brand code, [$3, $4] the days (the order's own date), each
-- order counted once in its latest state.
SELECT status, sum(orders)::bigint AS orders,
       round(100.0 * sum(orders) / sum(sum(orders)) OVER (), 1) AS percentage
  FROM reports.orders_status_days
 WHERE client_id = $1 AND brand = $2 AND day BETWEEN $3::date AND $4::date
 GROUP BY status
 ORDER BY 2 DESC, 1

-- orders/campaigns: the 15 campaigns with the most revenue ('direct' for
-- orders without one): orders, approved, approval rate, revenue. $1
-- client, $2 brand code, [$3, $4] the days (the order's own date), each
-- order counted once in its latest state.
SELECT value AS campaign, sum(orders)::bigint AS orders,
       sum(approved)::bigint AS approved,
       round(100.0 * sum(approved) / sum(orders), 1) AS approval_rate,
       sum(revenue) AS revenue
  FROM reports.orders_by_dimension
 WHERE client_id = $1 AND brand = $2 AND dim = 'campaign'
   AND day BETWEEN $3::date AND $4::date
 GROUP BY value
 ORDER BY 5 DESC, 1
 LIMIT 15

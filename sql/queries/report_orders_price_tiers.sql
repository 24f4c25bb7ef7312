-- orders/price-tiers: NEW orders by price tier ($0-24, $25-49, $50-99,
-- $100+, unknown when the total is unreadable) and their revenue. $1
-- client, $2 brand code, [$3, $4] the days (the order's own date), each
-- order counted once in its latest state.
SELECT value AS tier, sum(new_orders)::bigint AS orders,
       sum(revenue) AS revenue
  FROM reports.orders_by_dimension
 WHERE client_id = $1 AND brand = $2 AND dim = 'tier'
   AND day BETWEEN $3::date AND $4::date
 GROUP BY value
HAVING sum(new_orders) > 0
 ORDER BY CASE value WHEN '$0-24' THEN 1 WHEN '$25-49' THEN 2
                     WHEN '$50-99' THEN 3 WHEN '$100+' THEN 4 ELSE 5 END

-- orders/cumulative-revenue: revenue per day and its running total over
-- the range. $1 client, $2 brand code, [$3, $4] the days (the order's own
-- date), each order counted once in its latest state.
SELECT d::date AS day, coalesce(o.revenue, 0) AS revenue,
       sum(coalesce(o.revenue, 0)) OVER (ORDER BY d) AS cumulative_revenue
  FROM generate_series($3::date, $4::date, interval '1 day') AS d
  LEFT JOIN reports.orders_by_dimension o
    ON o.client_id = $1 AND o.brand = $2 AND o.dim = 'total'
   AND o.day = d::date
 ORDER BY 1

-- orders/chargebacks-refunds: per day, orders flagged as charged back or
-- refunded (YES/NO flags) and their share of the day's orders. $1 client,
-- $2 brand code, [$3, $4] the days (the order's own date), each order
-- counted once in its latest state.
SELECT d::date AS day, coalesce(o.orders, 0) AS orders,
       coalesce(o.chargebacks, 0) AS chargebacks,
       coalesce(o.refunds, 0) AS refunds,
       CASE WHEN o.orders > 0
            THEN round(100.0 * o.chargebacks / o.orders, 1) ELSE 0 END
         AS chargeback_rate,
       CASE WHEN o.orders > 0
            THEN round(100.0 * o.refunds / o.orders, 1) ELSE 0 END
         AS refund_rate
  FROM generate_series($3::date, $4::date, interval '1 day') AS d
  LEFT JOIN reports.orders_by_dimension o
    ON o.client_id = $1 AND o.brand = $2 AND o.dim = 'total'
   AND o.day = d::date
 ORDER BY 1

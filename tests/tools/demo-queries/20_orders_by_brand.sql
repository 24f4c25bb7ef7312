-- title: orders by brand, last 5 days (s3_exports.orders_current)
SELECT ordered_at::date AS day, product_category AS brand,
       count(*) AS orders,
       count(*) FILTER (WHERE order_status = 'NEW') AS approved,
       sum(total_amount) FILTER (WHERE order_status = 'NEW') AS revenue,
       count(*) FILTER (WHERE refunded) AS refunded
  FROM s3_exports.orders_current
 WHERE ordered_at >= current_date - 4
 GROUP BY 1, 2
 ORDER BY 1 DESC, 2;

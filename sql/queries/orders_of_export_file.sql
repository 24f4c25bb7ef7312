-- $1 export table (orders_create or orders_update), $2 file (object key).
-- The order ids of the file's rows now loaded, ascending (before a new
-- version replaces them).
SELECT DISTINCT signalroom.to_int(orders_id) AS id
  FROM s3_exports.orders_create
 WHERE $1::text = 'orders_create' AND _file_name = $2::text
   AND signalroom.to_int(orders_id) IS NOT NULL
UNION
SELECT DISTINCT signalroom.to_int(orders_id)
  FROM s3_exports.orders_update
 WHERE $1::text = 'orders_update' AND _file_name = $2::text
   AND signalroom.to_int(orders_id) IS NOT NULL
ORDER BY 1

-- $1 file (object key) of s3_exports.orders_update.  The order ids of its
-- rows now loaded, ascending (before a new version replaces them).  One
-- query per table: a load touches no export table but its own, so schema
-- changes to the other never hold it up.
SELECT DISTINCT signalroom.to_int(orders_id) AS id
  FROM s3_exports.orders_update
 WHERE _file_name = $1::text AND signalroom.to_int(orders_id) IS NOT NULL
 ORDER BY 1

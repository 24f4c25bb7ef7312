-- $1 the order ids of a file (bigint[]); the file's rank: $2 its date
-- (NULL when its name has none), $3 its kind (1 create, 2 update), $4 its
-- name; $5 and $6 the first and last id when the ids form a run (a day's
-- new orders), else NULL.  The kept rows of those orders (columns as
-- sr_order_row, days as epoch days), each with whether the file outranks
-- it (reports.file_rank_below); the ones it outranks are removed, in this
-- statement.  In no particular order.
--
-- A run is read with one scan of the index, its orders the file lacks
-- passed over by a join ("= ANY ($1)" would have the planner estimate
-- each of the array's ids, 20 ms for a day's file); other files with one
-- index probe per id.  Each LIMIT (a run holds no more rows than its
-- length, an id one) keeps the planner on the index whatever the
-- statistics say: it chose a scan of the whole table on a young table.
WITH kept AS NOT MATERIALIZED (
  SELECT r.*
    FROM (SELECT k.ctid AS tid, k.* FROM reports.orders_latest k
           WHERE k.order_id BETWEEN $5::bigint AND $6::bigint
           LIMIT $6::bigint - $5::bigint + 1) AS r
   WHERE r.order_id IN (SELECT unnest($1::bigint[]))
  UNION ALL
  SELECT o.*
    FROM unnest($1::bigint[]) AS i(id)
   CROSS JOIN LATERAL (SELECT k.ctid AS tid, k.* FROM reports.orders_latest k
                        WHERE k.order_id = i.id LIMIT 1) AS o
   WHERE $5::bigint IS NULL
), gone AS (
  DELETE FROM reports.orders_latest l
   WHERE l.ctid = ANY (ARRAY(
           SELECT k.tid FROM kept k
            WHERE reports.file_rank_below(k.src_file_date, k.src_rank,
                                          k.src_file, $2::date, $3::smallint,
                                          $4::text)))
  RETURNING l.*
)
SELECT g.order_id, g.product_category, g.day - DATE '1970-01-01', g.status, g.total::text, g.state, g.customer, g.campaign, g.affiliate, g.gateway, g.chargeback, g.refunded, g.src_file_date - DATE '1970-01-01', g.src_rank, g.src_file, g.src_row, true
  FROM gone g
UNION ALL
SELECT k.order_id, k.product_category, k.day - DATE '1970-01-01', k.status, k.total::text, k.state, k.customer, k.campaign, k.affiliate, k.gateway, k.chargeback, k.refunded, k.src_file_date - DATE '1970-01-01', k.src_rank, k.src_file, k.src_row, false
  FROM kept k
 WHERE NOT reports.file_rank_below(k.src_file_date, k.src_rank, k.src_file,
                                   $2::date, $3::smallint, $4::text)

-- $1 the order ids of a file (bigint[]); the file's rank: $2 its date
-- (NULL when its name has none), $3 its kind (1 create, 2 update), $4 its
-- name.  The kept rows of those orders (columns as sr_order_row, days as
-- epoch days), each with whether the file outranks it
-- (reports.file_rank_below); the ones it outranks are removed, in this
-- statement.  In no particular order.  One index probe per id, whatever
-- the statistics say: the LIMIT keeps the planner from turning this into
-- a scan of the whole table, which it chose on a young table.
WITH gone AS (
  DELETE FROM reports.orders_latest l
   WHERE l.ctid = ANY (ARRAY(
           SELECT o.ctid FROM unnest($1::bigint[]) AS i(id)
            CROSS JOIN LATERAL (SELECT k.ctid, k.src_file_date, k.src_rank,
                                       k.src_file
                                  FROM reports.orders_latest k
                                 WHERE k.order_id = i.id LIMIT 1) AS o
            WHERE reports.file_rank_below(o.src_file_date, o.src_rank,
                                          o.src_file, $2::date, $3::smallint,
                                          $4::text)))
  RETURNING l.*
)
SELECT g.order_id, g.product_category, g.day - DATE '1970-01-01', g.status, g.total::text, g.state, g.customer, g.campaign, g.affiliate, g.gateway, g.chargeback, g.refunded, g.src_file_date - DATE '1970-01-01', g.src_rank, g.src_file, g.src_row, true
  FROM gone g
UNION ALL
SELECT o.order_id, o.product_category, o.day - DATE '1970-01-01', o.status, o.total::text, o.state, o.customer, o.campaign, o.affiliate, o.gateway, o.chargeback, o.refunded, o.src_file_date - DATE '1970-01-01', o.src_rank, o.src_file, o.src_row, false
  FROM unnest($1::bigint[]) AS i(id)
 CROSS JOIN LATERAL (SELECT k.* FROM reports.orders_latest k
                      WHERE k.order_id = i.id LIMIT 1) AS o
 WHERE NOT reports.file_rank_below(o.src_file_date, o.src_rank, o.src_file,
                                   $2::date, $3::smallint, $4::text)

-- orders_latest_replace.sql for a file whose orders come in a run of ids
-- (a day's new orders): $1 to $4 as there, $5 and $6 the first and last
-- id of the run, $7 its length.  The kept rows are read with one scan of
-- the run on the index instead of a probe per order, and the run's orders
-- the file lacks passed over (by a join: "= ANY ($1)" would have the
-- planner estimate each of the array's ids, 20 ms for a day's file).
-- The LIMIT (no run holds more rows than its length) keeps the planner on
-- the index, as there.
WITH run AS NOT MATERIALIZED (
  SELECT k.ctid AS tid, k.* FROM reports.orders_latest k
   WHERE k.order_id BETWEEN $5::bigint AND $6::bigint
   LIMIT $7::bigint
), gone AS (
  DELETE FROM reports.orders_latest l
   WHERE l.ctid = ANY (ARRAY(
           SELECT r.tid FROM run r
            WHERE r.order_id IN (SELECT unnest($1::bigint[]))
              AND reports.file_rank_below(r.src_file_date, r.src_rank,
                                          r.src_file, $2::date, $3::smallint,
                                          $4::text)))
  RETURNING l.*
)
SELECT g.order_id, g.product_category, g.day - DATE '1970-01-01', g.status, g.total::text, g.state, g.customer, g.campaign, g.affiliate, g.gateway, g.chargeback, g.refunded, g.src_file_date - DATE '1970-01-01', g.src_rank, g.src_file, g.src_row, true
  FROM gone g
UNION ALL
SELECT r.order_id, r.product_category, r.day - DATE '1970-01-01', r.status, r.total::text, r.state, r.customer, r.campaign, r.affiliate, r.gateway, r.chargeback, r.refunded, r.src_file_date - DATE '1970-01-01', r.src_rank, r.src_file, r.src_row, false
  FROM run r
 WHERE r.order_id IN (SELECT unnest($1::bigint[]))
   AND NOT reports.file_rank_below(r.src_file_date, r.src_rank, r.src_file,
                                   $2::date, $3::smallint, $4::text)

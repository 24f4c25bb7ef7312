-- $1, $2 the first and last order id of a file whose orders come in a run
-- of ids (bigint), $3 the run's length.  The kept rows inside the run, in
-- order_id order, as orders_latest_existing gives them: one scan of the
-- run on the index instead of a probe per order.  The caller skips the
-- rows of orders its file lacks.  The LIMIT (no run holds more rows than
-- its length) keeps the planner on the index, as in
-- orders_latest_existing.sql.
SELECT l.order_id, l.product_category, l.day - DATE '1970-01-01', l.status, l.total::text, l.state, l.customer, l.campaign, l.affiliate, l.gateway, l.chargeback, l.refunded, l.src_file_date - DATE '1970-01-01', l.src_rank, l.src_file, l.src_row, l.ctid
  FROM reports.orders_latest l
 WHERE l.order_id BETWEEN $1::bigint AND $2::bigint
 ORDER BY l.order_id
 LIMIT $3::bigint

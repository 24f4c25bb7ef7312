-- $1 order ids (bigint[], ascending).  Their kept rows, in order_id order
-- (columns as sr_order_row, days as epoch days, then the row's address).
-- One index probe per id, whatever the statistics say: the LIMIT keeps
-- the planner from turning this into a scan of the whole table, which it
-- chose on a young table.
SELECT o.order_id, o.product_category, o.day - DATE '1970-01-01', o.status, o.total::text, o.state, o.customer, o.campaign, o.affiliate, o.gateway, o.chargeback, o.refunded, o.src_file_date - DATE '1970-01-01', o.src_rank, o.src_file, o.src_row, o.tid
  FROM unnest($1::bigint[]) AS i(id)
 CROSS JOIN LATERAL (SELECT l.ctid AS tid, l.* FROM reports.orders_latest l
                      WHERE l.order_id = i.id LIMIT 1) AS o
 ORDER BY o.order_id

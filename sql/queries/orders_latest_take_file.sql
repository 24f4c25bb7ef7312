-- $1 file (object key), $2 the order ids of its earlier version
-- (bigint[]).  Remove the kept rows that version left, giving them back
-- (columns as sr_order_row, days as epoch days).  Found through the ids
-- (one index probe each, see orders_latest_existing.sql), so no index on
-- src_file has to be kept up by every load.
DELETE FROM reports.orders_latest
 WHERE ctid = ANY (ARRAY(SELECT o.ctid
                           FROM unnest($2::bigint[]) AS i(id)
                          CROSS JOIN LATERAL (
                                SELECT ctid FROM reports.orders_latest l
                                 WHERE l.order_id = i.id
                                   AND l.src_file = $1::text
                                 LIMIT 1) AS o))
RETURNING order_id, product_category, day - DATE '1970-01-01', status, total::text, state, customer, campaign, affiliate, gateway, chargeback, refunded, src_file_date - DATE '1970-01-01', src_rank, src_file, src_row

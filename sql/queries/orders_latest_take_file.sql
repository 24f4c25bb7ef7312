-- $1 file (object key).  Remove the kept rows an earlier version of the
-- file left, giving them back (columns as sr_order_row, days as epoch
-- days).
DELETE FROM reports.orders_latest WHERE src_file = $1::text
RETURNING order_id, product_category, day - DATE '1970-01-01', status, total::text, state, customer, campaign, affiliate, gateway, chargeback, refunded, src_file_date - DATE '1970-01-01', src_rank, src_file, src_row

-- $1 order ids (bigint[]) that lost their kept row (a re-export dropped
-- them): each keeps its best remaining export row, ranked as
-- orders_current ranks them.  Gives back the rows kept.
INSERT INTO reports.orders_latest AS l
SELECT DISTINCT ON (r.order_id) r.*
  FROM signalroom.order_export_rows r
 WHERE r.order_id = ANY ($1::bigint[])
 ORDER BY r.order_id, r.src_file_date DESC NULLS LAST, r.src_rank DESC,
          r.src_file COLLATE "C" DESC, r.src_row DESC
RETURNING order_id, product_category, day - DATE '1970-01-01', status, total::text, state, customer, campaign, affiliate, gateway, chargeback, refunded, src_file_date - DATE '1970-01-01', src_rank, src_file, src_row

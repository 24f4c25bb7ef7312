-- $1 order ids (bigint[]).  Their kept rows go (a newer row replaces
-- each): found by one index probe each, removed by row address (see
-- orders_latest_existing.sql for why not "order_id = ANY").
DELETE FROM reports.orders_latest
 WHERE ctid = ANY (ARRAY(SELECT o.ctid
                           FROM unnest($1::bigint[]) AS i(id)
                          CROSS JOIN LATERAL (
                                SELECT ctid FROM reports.orders_latest l
                                 WHERE l.order_id = i.id LIMIT 1) AS o))

-- $1 client, $2 the counts one file changed (JSON, see
-- reports.orders_delta_apply).
SELECT reports.orders_delta_apply($1::text, $2::jsonb)

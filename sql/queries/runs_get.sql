-- $1 run id.
SELECT signalroom.run_json($1::bigint)::text

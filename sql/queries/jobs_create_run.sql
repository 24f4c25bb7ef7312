-- $1 source, $2 windows (JSON), $3 force, $4 idempotency key, $5 requested
-- by, $6 schedule name, $7 request fingerprint (with a key: what the client
-- asked for).  See signalroom.create_run.
SELECT signalroom.create_run($1::text, $2::jsonb, $3::boolean, $4::text,
                             $5::text, $6::text, $7::text)::text

-- $1 source, $2 windows (JSON), $3 force, $4 idempotency key, $5 requested
-- by, $6 schedule name, $7 request fingerprint (with a key: what the client
-- asked for), $8 the traceparent of the request (NULL: none; kept by the
-- runs it creates, see 0016).  See signalroom.create_run.  The setting is
-- made first: a volatile function keeps the subquery from being folded
-- into the call.
SELECT signalroom.create_run($1::text, $2::jsonb, $3::boolean, $4::text,
                             $5::text, $6::text, $7::text)::text
  FROM (SELECT set_config('signalroom.traceparent', coalesce($8::text, ''),
                          true)) AS trace_context

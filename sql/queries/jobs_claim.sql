-- $1 owner (instance:worker), $2 lease seconds.  With the run's
-- traceparent ("" when none), so the job's spans join the request's trace.
SELECT c.id, c.run_id, c.kind, c.source, coalesce(c.window_from::text, ''),
       coalesce(c.window_to::text, ''), coalesce(c.object_key, ''),
       coalesce(c.object_meta::text, '{}'), c.force, c.attempts,
       c.max_attempts,
       coalesce((SELECT r.traceparent FROM signalroom.runs r
                  WHERE r.id = c.run_id), '')
  FROM signalroom.claim_job($1::text, $2::integer) AS c

-- $1 owner (instance:worker), $2 lease seconds.  With the run's
-- traceparent ("" when none), so the job's spans join the request's trace
-- (read by a function: under this statement's snapshot the run of a job
-- claim_job just saw could be invisible, see 0023).
SELECT c.id, c.run_id, c.kind, c.source, coalesce(c.window_from::text, ''),
       coalesce(c.window_to::text, ''), coalesce(c.object_key, ''),
       coalesce(c.object_meta::text, '{}'), c.force, c.attempts,
       c.max_attempts,
       coalesce(signalroom.run_traceparent(c.run_id), '')
  FROM signalroom.claim_job($1::text, $2::integer) AS c

-- $1 owner (instance:worker), $2 lease seconds.
SELECT id, run_id, kind, source, coalesce(window_from::text, ''),
       coalesce(window_to::text, ''), coalesce(object_key, ''),
       coalesce(object_meta::text, '{}'), force, attempts, max_attempts
  FROM signalroom.claim_job($1::text, $2::integer)

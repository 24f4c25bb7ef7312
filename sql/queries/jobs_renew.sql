-- $1 owner (the instance), $2 the ids of the jobs its workers are running
-- right now (bigint array), $3 lease seconds.  The heartbeat: only these
-- leases are extended, so a job a worker let go of (its outcome could not
-- be recorded) expires and is queued again.  Returns each job still held
-- and whether it was asked to stop; a job missing from the answer is no
-- longer this instance's.
UPDATE signalroom.jobs
   SET lease_until = now() + make_interval(secs => $3::integer)
 WHERE id = ANY ($2::bigint[]) AND lease_owner = $1::text
   AND status = 'running'
RETURNING id, cancel_requested_at IS NOT NULL

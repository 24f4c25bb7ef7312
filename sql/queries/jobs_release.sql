-- $1 owner.  Give back the jobs of an instance that is stopping, so
-- another instance takes them now instead of after the lease.
WITH r AS (
  UPDATE signalroom.jobs
     SET status = 'queued', lease_owner = NULL, lease_until = NULL,
         run_after = now(), attempts = greatest(attempts - 1, 0)
   WHERE lease_owner = $1::text AND status = 'running'
  RETURNING 1)
SELECT count(*) FROM r

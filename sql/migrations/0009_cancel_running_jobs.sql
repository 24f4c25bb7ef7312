-- Cancel reaches running jobs; a job's worker learns it with its lease.
--
-- cancel_run used to cancel only queued jobs: a running job finished its
-- work however long that took.  Now it also marks the running ones
-- (cancel_requested_at); the instance holding such a job sees the mark
-- when its heartbeat renews the lease, stops the job and finishes it as
-- 'cancelled'.  A job that was cancelled while running is never queued
-- again: not by a failure that asks for a retry, not by the sweeper when
-- its lease runs out, not when its instance stops.

ALTER TABLE signalroom.jobs ADD COLUMN cancel_requested_at timestamptz;

-- Cancel a run: queued jobs are cancelled now; running ones are asked to
-- stop and end as cancelled (or succeeded, when their data committed
-- first).  The run ends when its last job does.
CREATE OR REPLACE FUNCTION signalroom.cancel_run(p_run bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  st text;
BEGIN
  SELECT status INTO st FROM signalroom.runs WHERE id = p_run FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE signalroom.jobs SET status = 'cancelled', finished_at = now()
   WHERE status = 'queued'
     AND run_id IN (SELECT id FROM signalroom.runs
                     WHERE id = p_run OR parent_id = p_run);
  UPDATE signalroom.jobs SET cancel_requested_at = now()
   WHERE status = 'running' AND cancel_requested_at IS NULL
     AND run_id IN (SELECT id FROM signalroom.runs
                     WHERE id = p_run OR parent_id = p_run);
  PERFORM signalroom.refresh_run(id)
     FROM signalroom.runs WHERE parent_id = p_run;
  PERFORM signalroom.refresh_run(p_run);
  SELECT status INTO st FROM signalroom.runs WHERE id = p_run;
  RETURN st;
END $$;

-- Finish a claimed job (see 0007).  New: p_outcome 'cancelled'; a job
-- whose cancel was requested is never queued again nor a dead letter, and
-- when it finishes it cancels the jobs its run queued meanwhile (an S3
-- plan that committed its object jobs just after the cancel).
CREATE OR REPLACE FUNCTION signalroom.finish_job(p_job bigint, p_owner text,
                                                 p_outcome text,
                                                 p_result jsonb,
                                                 p_error text,
                                                 p_retry_s double precision,
                                                 p_request jsonb,
                                                 p_excerpt text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  j signalroom.jobs%ROWTYPE;
  final text;
BEGIN
  SELECT * INTO j FROM signalroom.jobs WHERE id = p_job FOR UPDATE;
  IF NOT FOUND OR j.status <> 'running' OR j.lease_owner IS DISTINCT FROM p_owner THEN
    RAISE EXCEPTION 'lease lost on job %', p_job USING ERRCODE = 'SR001';
  END IF;
  IF p_outcome = 'succeeded' THEN
    final := 'succeeded';
  ELSIF p_outcome = 'cancelled' OR j.cancel_requested_at IS NOT NULL THEN
    final := 'cancelled';
  ELSIF p_outcome = 'retry' AND j.attempts < j.max_attempts THEN
    final := 'queued';
  ELSE
    final := 'dead';
  END IF;
  UPDATE signalroom.jobs
     SET status = final,
         lease_owner = NULL, lease_until = NULL,
         run_after = CASE WHEN final = 'queued'
                          THEN now() + make_interval(secs => p_retry_s)
                          ELSE run_after END,
         rows_inserted = coalesce((p_result ->> 'inserted')::bigint, 0),
         rows_updated = coalesce((p_result ->> 'updated')::bigint, 0),
         rows_deleted = coalesce((p_result ->> 'deleted')::bigint, 0),
         rows_rejected = coalesce((p_result ->> 'skipped')::bigint, 0),
         result = p_result,
         last_error = CASE WHEN final = 'succeeded' THEN NULL
                           WHEN final = 'cancelled'
                             THEN coalesce(p_error, 'cancelled')
                           ELSE p_error END,
         finished_at = CASE WHEN final = 'queued' THEN NULL ELSE now() END
   WHERE id = p_job;
  IF final = 'dead' THEN
    INSERT INTO signalroom.dead_letters (job_id, run_id, source, request,
                                         error, response_excerpt, attempts)
    VALUES (j.id, j.run_id, j.source,
            coalesce(p_request, jsonb_build_object(
              'source', j.source, 'kind', j.kind, 'from', j.window_from,
              'to', j.window_to, 'object', j.object_key)),
            coalesce(p_error, 'failed'), p_excerpt, j.attempts);
  END IF;
  IF j.cancel_requested_at IS NOT NULL THEN
    UPDATE signalroom.jobs SET status = 'cancelled', finished_at = now()
     WHERE run_id = j.run_id AND status = 'queued';
  END IF;
  PERFORM signalroom.refresh_run(j.run_id);
  RETURN final;
END $$;

-- Jobs whose lease ran out (see 0007); a job whose cancel was requested
-- ends cancelled instead of running again.
CREATE OR REPLACE FUNCTION signalroom.sweep_jobs() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  j signalroom.jobs%ROWTYPE;
  n integer := 0;
BEGIN
  FOR j IN SELECT * FROM signalroom.jobs
            WHERE status = 'running' AND lease_until < now()
            FOR UPDATE SKIP LOCKED LOOP
    IF j.cancel_requested_at IS NOT NULL THEN
      UPDATE signalroom.jobs
         SET status = 'cancelled', lease_owner = NULL, lease_until = NULL,
             last_error = 'cancelled (its lease expired while stopping)',
             finished_at = now()
       WHERE id = j.id;
    ELSIF j.attempts >= j.max_attempts THEN
      UPDATE signalroom.jobs
         SET status = 'dead', lease_owner = NULL, lease_until = NULL,
             last_error = coalesce(last_error || '; ', '')
                          || 'lease expired on the last attempt',
             finished_at = now()
       WHERE id = j.id;
      INSERT INTO signalroom.dead_letters (job_id, run_id, source, request,
                                           error, attempts)
      VALUES (j.id, j.run_id, j.source,
              jsonb_build_object('source', j.source, 'kind', j.kind,
                                 'from', j.window_from, 'to', j.window_to,
                                 'object', j.object_key),
              'lease expired (the instance running it stopped answering)',
              j.attempts);
    ELSE
      UPDATE signalroom.jobs
         SET status = 'queued', lease_owner = NULL, lease_until = NULL,
             run_after = now(),
             last_error = 'lease expired (the instance running it stopped '
                          'answering); queued again'
       WHERE id = j.id;
    END IF;
    PERFORM signalroom.refresh_run(j.run_id);
    n := n + 1;
  END LOOP;
  IF n > 0 THEN
    PERFORM signalroom.notify_jobs();
  END IF;
  RETURN n;
END $$;

-- Give back the running jobs of an instance that is stopping, so another
-- instance takes them now instead of after the lease (the attempt does not
-- count); a job whose cancel was requested ends cancelled instead.
CREATE FUNCTION signalroom.release_jobs(p_owner text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  j signalroom.jobs%ROWTYPE;
  n integer := 0;
BEGIN
  FOR j IN SELECT * FROM signalroom.jobs
            WHERE lease_owner = p_owner AND status = 'running'
            FOR UPDATE LOOP
    IF j.cancel_requested_at IS NOT NULL THEN
      UPDATE signalroom.jobs
         SET status = 'cancelled', lease_owner = NULL, lease_until = NULL,
             last_error = 'cancelled (its instance stopped)',
             finished_at = now()
       WHERE id = j.id;
      PERFORM signalroom.refresh_run(j.run_id);
    ELSE
      UPDATE signalroom.jobs
         SET status = 'queued', lease_owner = NULL, lease_until = NULL,
             run_after = now(), attempts = greatest(attempts - 1, 0)
       WHERE id = j.id;
    END IF;
    n := n + 1;
  END LOOP;
  IF n > 0 THEN
    PERFORM signalroom.notify_jobs();
  END IF;
  RETURN n;
END $$;

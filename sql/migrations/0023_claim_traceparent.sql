-- 0023: a claimed job's traceparent, read after the claim.
--
-- jobs_claim read the run's traceparent with a subquery of the claim's own
-- statement, under the snapshot the statement took when it began.
-- claim_job's query runs later with a snapshot of its own: a job whose run
-- committed in between was claimed, its run invisible to the subquery, and
-- the job started a trace of its own instead of joining the request's
-- (test_tracing_api failed on it now and then).  A VOLATILE function's
-- query takes a new snapshot, which sees the run its claimed job came with.
CREATE FUNCTION signalroom.run_traceparent(p_run_id bigint) RETURNS text
  LANGUAGE sql VOLATILE
AS $$
  SELECT traceparent FROM signalroom.runs WHERE id = p_run_id
$$;

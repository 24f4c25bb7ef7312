-- Sync runs, their jobs, dead letters and schedules: a job queue in the
-- database every instance shares.
--
-- A run is what someone asked for ("everflow, 2025-11-01..2025-11-30");
-- it is split into jobs (one per day; one per object for S3, planned by a
-- first job that lists the bucket).  Workers claim jobs with FOR UPDATE
-- SKIP LOCKED, hold them under a lease that a heartbeat renews, and finish
-- them in the same transaction as the data they wrote.  A job whose lease
-- ran out (its instance died) is queued again by any instance's sweeper.

CREATE TABLE signalroom.runs (
  id              bigserial   PRIMARY KEY,
  source          text        NOT NULL,
  window_from     date,
  window_to       date,
  force           boolean     NOT NULL DEFAULT false,
  status          text        NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'succeeded',
                                    'failed', 'cancelled')),
  parent_id       bigint      REFERENCES signalroom.runs (id),
  idempotency_key text,
  schedule_name   text,
  requested_by    text,
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  CHECK (window_from IS NULL OR window_to >= window_from)
);
CREATE UNIQUE INDEX runs_idempotency ON signalroom.runs (idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_active ON signalroom.runs (source)
  WHERE status IN ('queued', 'running');
CREATE INDEX runs_created ON signalroom.runs (created_at DESC, id DESC);
CREATE INDEX runs_parent ON signalroom.runs (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE signalroom.jobs (
  id            bigserial   PRIMARY KEY,
  run_id        bigint      NOT NULL REFERENCES signalroom.runs (id),
  kind          text        NOT NULL DEFAULT 'sync'
                CHECK (kind IN ('sync', 'plan', 'object', 'noop')),
  source        text        NOT NULL,
  window_from   date,
  window_to     date,
  object_key    text,
  object_meta   jsonb,        -- prefix, etag, size, last_modified (S3)
  force         boolean     NOT NULL DEFAULT false,
  status        text        NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'succeeded', 'failed',
                                  'cancelled', 'dead', 'retried')),
  attempts      integer     NOT NULL DEFAULT 0,
  max_attempts  integer     NOT NULL DEFAULT 5,
  run_after     timestamptz NOT NULL DEFAULT now(),
  lease_owner   text,
  lease_until   timestamptz,
  rows_inserted bigint      NOT NULL DEFAULT 0,
  rows_updated  bigint      NOT NULL DEFAULT 0,
  rows_deleted  bigint      NOT NULL DEFAULT 0,
  rows_rejected bigint      NOT NULL DEFAULT 0,
  result        jsonb,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
-- The claim query walks this index: queued jobs, oldest due first.
CREATE INDEX jobs_due ON signalroom.jobs (run_after, id) WHERE status = 'queued';
CREATE INDEX jobs_leased ON signalroom.jobs (lease_until) WHERE status = 'running';
CREATE INDEX jobs_run ON signalroom.jobs (run_id);
-- "Does this run still have work?" in one index probe, however many of its
-- jobs are done (finishing a job asks it every time).
CREATE INDEX jobs_run_active ON signalroom.jobs (run_id)
  WHERE status IN ('queued', 'running');
CREATE INDEX jobs_source_done ON signalroom.jobs (source, finished_at DESC)
  WHERE status = 'succeeded';

CREATE TABLE signalroom.dead_letters (
  id               bigserial   PRIMARY KEY,
  job_id           bigint      NOT NULL REFERENCES signalroom.jobs (id),
  run_id           bigint      NOT NULL REFERENCES signalroom.runs (id),
  source           text        NOT NULL,
  request          jsonb       NOT NULL,
  error            text        NOT NULL,
  response_excerpt text,
  attempts         integer     NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  retried_at       timestamptz,
  retry_job_id     bigint      REFERENCES signalroom.jobs (id)
);

CREATE TABLE signalroom.schedules (
  name             text        PRIMARY KEY,
  cron             text        NOT NULL,
  source           text        NOT NULL,
  window_days      integer     NOT NULL DEFAULT 1 CHECK (window_days >= 0),
  enabled          boolean     NOT NULL DEFAULT true,
  after_schedule   text        REFERENCES signalroom.schedules (name),
  wait_minutes     integer     NOT NULL DEFAULT 0 CHECK (wait_minutes >= 0),
  catch_up_minutes integer     NOT NULL DEFAULT 360
                   CHECK (catch_up_minutes >= 0),
  description      text,
  last_tick_at     timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- A dependency chain must end: a cycle would hold its ticks forever.
CREATE FUNCTION signalroom.schedules_check_after() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.after_schedule IS NOT NULL AND EXISTS (
       WITH RECURSIVE chain(name, depth) AS (
         SELECT NEW.after_schedule, 1
         UNION ALL
         SELECT s.after_schedule, c.depth + 1
           FROM chain c JOIN signalroom.schedules s ON s.name = c.name
          WHERE s.after_schedule IS NOT NULL AND c.depth < 64)
       SELECT 1 FROM chain WHERE name = NEW.name) THEN
    RAISE EXCEPTION 'schedule % would wait on itself through %',
                    NEW.name, NEW.after_schedule USING ERRCODE = 'SR002';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER schedules_after_acyclic
  BEFORE INSERT OR UPDATE OF after_schedule ON signalroom.schedules
  FOR EACH ROW EXECUTE FUNCTION signalroom.schedules_check_after();

-- One row per tick of a schedule: the primary key makes every tick fire
-- exactly once however many instances evaluate the schedule.  A tick held
-- for its dependency is 'waiting' from the moment it was first seen due
-- (recorded_at), so the wait counts from then, not from the tick: after
-- downtime a dependent still gives its dependency the full wait.
CREATE TABLE signalroom.schedule_ticks (
  schedule_name text        NOT NULL REFERENCES signalroom.schedules (name),
  tick_at       timestamptz NOT NULL,
  outcome       text        NOT NULL
                CHECK (outcome IN ('fired', 'skipped', 'waiting')),
  run_id        bigint      REFERENCES signalroom.runs (id),
  note          text,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule_name, tick_at)
);

-- Defaults (times in SIGNALROOM_TIMEZONE): S3 at 06:00; Everflow and
-- Redtrack at 07:00 once that day's S3 run succeeded, or after 60 minutes
-- regardless (with an alert); intraday pulls hourly 07:15-23:15.
-- window_days 0 means "the source's own default window".
INSERT INTO signalroom.schedules
       (name, cron, source, window_days, after_schedule, wait_minutes,
        description)
VALUES ('s3-daily', '0 6 * * *', 's3_exports', 0, NULL, 0,
        'Sticky.io exports of the night'),
       ('everflow-daily', '0 7 * * *', 'everflow', 3, 's3-daily', 60,
        'Everflow, today and the two days before, after the S3 load'),
       ('redtrack-daily', '0 7 * * *', 'redtrack', 3, 's3-daily', 60,
        'Redtrack, today and the two days before, after the S3 load'),
       ('everflow-intraday', '15 7-23 * * *', 'everflow', 1, NULL, 0,
        'Everflow, today, every hour'),
       ('redtrack-intraday', '15 7-23 * * *', 'redtrack', 1, NULL, 0,
        'Redtrack, today, every hour');

-- Wakes idle workers of every instance (LISTEN signalroom_jobs); polling
-- covers instances that cannot listen (transaction poolers).
CREATE FUNCTION signalroom.notify_jobs() RETURNS void
LANGUAGE sql AS $$ SELECT pg_notify('signalroom_jobs', '') $$;

-- A run's jobs: one per day for dated sources, one planning job for S3
-- (it lists the bucket and adds one job per object).
CREATE FUNCTION signalroom.add_run_jobs(p_run bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  r signalroom.runs%ROWTYPE;
  n integer;
BEGIN
  SELECT * INTO r FROM signalroom.runs WHERE id = p_run;
  IF r.source = 's3_exports' THEN
    INSERT INTO signalroom.jobs (run_id, kind, source, window_from,
                                 window_to, force)
    VALUES (r.id, 'plan', r.source, r.window_from, r.window_to, r.force);
    RETURN 1;
  END IF;
  INSERT INTO signalroom.jobs (run_id, kind, source, window_from, window_to,
                               force)
  SELECT r.id, 'sync', r.source, d::date, d::date, r.force
    FROM generate_series(r.window_from, r.window_to, interval '1 day') AS d;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Create a run (and, for 'all', one child run per source) with its jobs,
-- atomically.  Returns {"run_id": N} or, when an active run of the same
-- source overlaps the window, {"conflict": N}; a repeated idempotency key
-- returns the run it created first, {"run_id": N, "existing": true}.
-- p_windows: JSON object source -> [from, to] (NULLs: no window).
CREATE FUNCTION signalroom.create_run(p_source text, p_windows jsonb,
                                      p_force boolean, p_idempotency text,
                                      p_requested_by text,
                                      p_schedule text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  existing bigint;
  parent bigint;
  child bigint;
  src text;
  f date;
  t date;
  other bigint;
  sources text[];
BEGIN
  IF p_idempotency IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtext('signalroom.idem:' || p_idempotency));
    SELECT id INTO existing FROM signalroom.runs
     WHERE idempotency_key = p_idempotency;
    IF FOUND THEN
      RETURN jsonb_build_object('run_id', existing, 'existing', true);
    END IF;
  END IF;
  SELECT array_agg(k ORDER BY k) INTO sources FROM jsonb_object_keys(p_windows) AS k;
  -- One lock per source, in name order: concurrent requests for the same
  -- source see each other's runs, and never deadlock.
  FOREACH src IN ARRAY sources LOOP
    PERFORM pg_advisory_xact_lock(hashtext('signalroom.runs:' || src));
  END LOOP;
  FOREACH src IN ARRAY sources LOOP
    f := (p_windows -> src ->> 0)::date;
    t := (p_windows -> src ->> 1)::date;
    SELECT id INTO other FROM signalroom.runs r
     WHERE r.source = src AND r.status IN ('queued', 'running')
       AND (f IS NULL OR r.window_from IS NULL
            OR (r.window_from <= t AND r.window_to >= f))
     ORDER BY id LIMIT 1;
    IF FOUND THEN
      RETURN jsonb_build_object('conflict', other, 'source', src);
    END IF;
  END LOOP;
  IF p_source = 'all' THEN
    INSERT INTO signalroom.runs (source, force, idempotency_key,
                                 requested_by, schedule_name)
    VALUES ('all', p_force, p_idempotency, p_requested_by, p_schedule)
    RETURNING id INTO parent;
  END IF;
  FOREACH src IN ARRAY sources LOOP
    INSERT INTO signalroom.runs (source, window_from, window_to, force,
                                 parent_id, idempotency_key, requested_by,
                                 schedule_name)
    VALUES (src, (p_windows -> src ->> 0)::date,
            (p_windows -> src ->> 1)::date, p_force, parent,
            CASE WHEN parent IS NULL THEN p_idempotency END, p_requested_by,
            p_schedule)
    RETURNING id INTO child;
    PERFORM signalroom.add_run_jobs(child);
  END LOOP;
  PERFORM signalroom.notify_jobs();
  RETURN jsonb_build_object('run_id', coalesce(parent, child));
END $$;

-- A run's status from its jobs (and a parent's from its children).
CREATE FUNCTION signalroom.refresh_run(p_run bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  total integer; done integer; ok integer; cancelled integer; running integer;
  parent bigint;
  errs text;
BEGIN
  -- Finishing jobs of one run commit concurrently: serialise them here, so
  -- whichever finishes last sees every other job's final state.
  PERFORM 1 FROM signalroom.runs WHERE id = p_run FOR UPDATE;
  -- Work left: the run is (still) running.  The common case, and cheap.
  IF EXISTS (SELECT 1 FROM signalroom.jobs
              WHERE run_id = p_run AND status IN ('queued', 'running')) THEN
    UPDATE signalroom.runs
       SET status = 'running', started_at = coalesce(started_at, now())
     WHERE id = p_run AND status = 'queued'
     RETURNING parent_id INTO parent;
    IF parent IS NOT NULL THEN
      PERFORM signalroom.refresh_run(parent);
    END IF;
    RETURN;
  END IF;
  SELECT count(*), count(*) FILTER (WHERE status IN ('succeeded', 'failed',
                                                     'cancelled', 'dead')),
         count(*) FILTER (WHERE status = 'succeeded'),
         count(*) FILTER (WHERE status = 'cancelled'),
         count(*) FILTER (WHERE status = 'running')
    INTO total, done, ok, cancelled, running
    FROM signalroom.jobs WHERE run_id = p_run AND status <> 'retried';
  IF total = 0 THEN
    -- a parent: judge by its children
    SELECT count(*), count(*) FILTER (WHERE status IN ('succeeded', 'failed',
                                                       'cancelled')),
           count(*) FILTER (WHERE status = 'succeeded'),
           count(*) FILTER (WHERE status = 'cancelled'),
           count(*) FILTER (WHERE status = 'running')
      INTO total, done, ok, cancelled, running
      FROM signalroom.runs WHERE parent_id = p_run;
  END IF;
  IF total > 0 AND done = total THEN
    SELECT string_agg(DISTINCT last_error, '; ') INTO errs
      FROM signalroom.jobs
     WHERE run_id = p_run AND status IN ('failed', 'dead');
    UPDATE signalroom.runs
       SET status = CASE WHEN ok = total THEN 'succeeded'
                         WHEN cancelled > 0 AND ok + cancelled = total
                           THEN 'cancelled'
                         ELSE 'failed' END,
           error = left(errs, 2000),
           finished_at = coalesce(finished_at, now())
     WHERE id = p_run AND status IN ('queued', 'running')
     RETURNING parent_id INTO parent;
  ELSIF running > 0 OR done > 0 THEN
    UPDATE signalroom.runs
       SET status = 'running', started_at = coalesce(started_at, now())
     WHERE id = p_run AND status = 'queued'
     RETURNING parent_id INTO parent;
  END IF;
  IF parent IS NULL THEN
    SELECT parent_id INTO parent FROM signalroom.runs WHERE id = p_run;
  END IF;
  IF parent IS NOT NULL THEN
    PERFORM signalroom.refresh_run(parent);
  END IF;
END $$;

-- Take the oldest due job: SKIP LOCKED lets any number of workers of any
-- number of instances claim at once without waiting for each other.
CREATE FUNCTION signalroom.claim_job(p_owner text, p_lease_s integer)
RETURNS SETOF signalroom.jobs LANGUAGE plpgsql AS $$
DECLARE
  j signalroom.jobs%ROWTYPE;
BEGIN
  UPDATE signalroom.jobs
     SET status = 'running', attempts = attempts + 1, lease_owner = p_owner,
         lease_until = now() + make_interval(secs => p_lease_s),
         started_at = coalesce(started_at, now())
   WHERE id = (SELECT id FROM signalroom.jobs
                WHERE status = 'queued' AND run_after <= now()
                ORDER BY run_after, id
                FOR UPDATE SKIP LOCKED LIMIT 1)
  RETURNING * INTO j;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  UPDATE signalroom.runs
     SET status = 'running', started_at = coalesce(started_at, now())
   WHERE id = j.run_id AND status = 'queued';
  RETURN NEXT j;
END $$;

-- Finish a claimed job; raises when this owner no longer holds its lease
-- (another instance took it over), which rolls back whatever the job
-- wrote in the same transaction.  p_outcome: 'succeeded', 'retry'
-- (queued again after p_retry_s seconds unless attempts are used up, then
-- dead) or 'failed' (at once, no retry: dead letter too).
CREATE FUNCTION signalroom.finish_job(p_job bigint, p_owner text,
                                      p_outcome text, p_result jsonb,
                                      p_error text, p_retry_s double precision,
                                      p_request jsonb, p_excerpt text)
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
         last_error = CASE WHEN final = 'succeeded' THEN NULL ELSE p_error END,
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
  PERFORM signalroom.refresh_run(j.run_id);
  RETURN final;
END $$;

-- Extend the leases of every job an instance holds (its heartbeat).
CREATE FUNCTION signalroom.renew_leases(p_owner text, p_lease_s integer)
RETURNS integer LANGUAGE sql AS $$
  WITH r AS (
    UPDATE signalroom.jobs
       SET lease_until = now() + make_interval(secs => p_lease_s)
     WHERE lease_owner = p_owner AND status = 'running'
    RETURNING 1)
  SELECT count(*)::integer FROM r
$$;

-- Jobs whose lease ran out belong to an instance that died or froze:
-- queue them again (or, attempts used up, make them dead letters).
CREATE FUNCTION signalroom.sweep_jobs() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  j signalroom.jobs%ROWTYPE;
  n integer := 0;
BEGIN
  FOR j IN SELECT * FROM signalroom.jobs
            WHERE status = 'running' AND lease_until < now()
            FOR UPDATE SKIP LOCKED LOOP
    IF j.attempts >= j.max_attempts THEN
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

-- Cancel a run: queued jobs are cancelled now; running ones finish their
-- current step and the run then ends as cancelled.
CREATE FUNCTION signalroom.cancel_run(p_run bigint) RETURNS text
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
  PERFORM signalroom.refresh_run(id)
     FROM signalroom.runs WHERE parent_id = p_run;
  PERFORM signalroom.refresh_run(p_run);
  SELECT status INTO st FROM signalroom.runs WHERE id = p_run;
  RETURN st;
END $$;

-- A run as the API shows it: status, timings, attempts, job counts, rows
-- written (per table), the error, and its child runs.
CREATE FUNCTION signalroom.run_json(p_run bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
           'id', r.id, 'source', r.source,
           'from', r.window_from, 'to', r.window_to, 'force', r.force,
           'status', r.status, 'error', r.error,
           'requested_by', r.requested_by, 'schedule', r.schedule_name,
           'parent_id', r.parent_id,
           'created_at', r.created_at, 'started_at', r.started_at,
           'finished_at', r.finished_at,
           'attempts', coalesce(j.attempts, 0),
           'jobs', jsonb_build_object(
             'total', coalesce(j.total, 0), 'queued', coalesce(j.queued, 0),
             'running', coalesce(j.running, 0),
             'succeeded', coalesce(j.succeeded, 0),
             'failed', coalesce(j.failed, 0), 'dead', coalesce(j.dead, 0),
             'cancelled', coalesce(j.cancelled, 0)),
           'tables', CASE WHEN r.source = 'all' THEN '{}'::jsonb
                          ELSE jsonb_build_object(
                            CASE r.source
                              WHEN 'everflow' THEN 'everflow.daily_stats'
                              WHEN 'redtrack' THEN 'redtrack.daily_spend'
                              ELSE 's3_exports' END,
                            jsonb_build_object(
                              'inserted', coalesce(j.ins, 0),
                              'updated', coalesce(j.upd, 0),
                              'deleted', coalesce(j.del, 0),
                              'rejected', coalesce(j.rej, 0))) END,
           'children', coalesce((SELECT jsonb_agg(signalroom.run_json(c.id)
                                                  ORDER BY c.id)
                                   FROM signalroom.runs c
                                  WHERE c.parent_id = r.id), '[]'::jsonb))
    FROM signalroom.runs r
    LEFT JOIN LATERAL (
      SELECT sum(attempts)::bigint AS attempts, count(*) AS total,
             count(*) FILTER (WHERE status = 'queued') AS queued,
             count(*) FILTER (WHERE status = 'running') AS running,
             count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
             count(*) FILTER (WHERE status = 'failed') AS failed,
             count(*) FILTER (WHERE status = 'dead') AS dead,
             count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
             sum(rows_inserted)::bigint AS ins,
             sum(rows_updated)::bigint AS upd,
             sum(rows_deleted)::bigint AS del,
             sum(rows_rejected)::bigint AS rej
        FROM signalroom.jobs WHERE run_id = r.id AND status <> 'retried') j ON true
   WHERE r.id = p_run
$$;

-- Put a dead letter's job back in the queue (a new job, fresh attempts).
-- Returns the new job id; NULL when there is no such dead letter; -1 when
-- it was retried already.
CREATE FUNCTION signalroom.retry_dead_letter(p_id bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  d signalroom.dead_letters%ROWTYPE;
  j signalroom.jobs%ROWTYPE;
  new_id bigint;
BEGIN
  SELECT * INTO d FROM signalroom.dead_letters WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF d.retried_at IS NOT NULL THEN
    RETURN -1;
  END IF;
  SELECT * INTO j FROM signalroom.jobs WHERE id = d.job_id;
  INSERT INTO signalroom.jobs (run_id, kind, source, window_from, window_to,
                               object_key, object_meta, force, max_attempts)
  VALUES (j.run_id, j.kind, j.source, j.window_from, j.window_to,
          j.object_key, j.object_meta, j.force, j.max_attempts)
  RETURNING id INTO new_id;
  UPDATE signalroom.dead_letters SET retried_at = now(), retry_job_id = new_id
   WHERE id = p_id;
  -- The dead job is replaced by the new one: it no longer decides the run.
  UPDATE signalroom.jobs SET status = 'retried' WHERE id = j.id;
  UPDATE signalroom.runs SET status = 'running', finished_at = NULL
   WHERE id = j.run_id AND status IN ('failed', 'succeeded');
  UPDATE signalroom.runs SET status = 'running', finished_at = NULL
   WHERE id = (SELECT parent_id FROM signalroom.runs WHERE id = j.run_id)
     AND status IN ('failed', 'succeeded');
  PERFORM signalroom.notify_jobs();
  RETURN new_id;
END $$;

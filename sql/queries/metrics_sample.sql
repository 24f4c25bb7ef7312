-- The metrics the database holds, for the sampler (one read per instance
-- per SIGNALROOM_METRICS_DB_INTERVAL).  $1 the reporting time zone, $2 the
-- sources (text[]), $3 the run-duration bucket bounds in seconds
-- (float8[], ascending).  Rows: (metric, label, label2, value).
--   jobs            state (queued, running, retrying, dead)   count
--   oldest_queued   -                                         seconds
--   dead_letters    -                                         count
--   last_success    source                                    Unix time
--   complete_day    source                                    Unix time
--                   (NULL: never -- no series, rather than 1970)
--   runs            source, outcome                           count (0 for
--                   every source and outcome, so the first one counts)
--   run_le          source, bound                             count <= bound
--   run_sum         source                                    seconds
-- A day is complete when a job covering it succeeded after it ended (in
-- the reporting time zone); a job without a window covers the days before
-- the one it finished on.
WITH q AS (
  SELECT count(*) FILTER (WHERE status = 'queued') AS queued,
         count(*) FILTER (WHERE status = 'running') AS running,
         count(*) FILTER (WHERE status = 'queued' AND attempts > 0) AS retrying,
         count(*) FILTER (WHERE status = 'dead') AS dead,
         min(run_after) FILTER (WHERE status = 'queued' AND run_after <= now())
           AS oldest
    FROM signalroom.jobs
   WHERE status IN ('queued', 'running', 'dead')
), src AS (
  SELECT s.source,
         (SELECT max(j.finished_at) FROM signalroom.jobs j
           WHERE j.source = s.source AND j.status = 'succeeded') AS last_success,
         (SELECT max(least(coalesce(j.window_to,
                                    (j.finished_at AT TIME ZONE $1)::date - 1),
                           (j.finished_at AT TIME ZONE $1)::date - 1))
            FROM signalroom.jobs j
           WHERE j.source = s.source AND j.status = 'succeeded') AS complete_day
    FROM unnest($2::text[]) AS s(source)
), runs AS (
  SELECT source, status,
         extract(epoch FROM finished_at - coalesce(started_at, created_at))
           AS seconds
    FROM signalroom.runs
   WHERE status IN ('succeeded', 'failed', 'cancelled')
     AND finished_at IS NOT NULL
)
SELECT 'jobs', s.state, NULL, s.n::float8
  FROM q, LATERAL (VALUES ('queued', q.queued), ('running', q.running),
                          ('retrying', q.retrying), ('dead', q.dead))
       AS s(state, n)
UNION ALL
SELECT 'oldest_queued', NULL, NULL,
       coalesce(extract(epoch FROM now() - q.oldest), 0)::float8
  FROM q
UNION ALL
SELECT 'dead_letters', NULL, NULL, count(*)::float8
  FROM signalroom.dead_letters WHERE retried_at IS NULL
UNION ALL
SELECT 'last_success', source, NULL, extract(epoch FROM last_success)::float8
  FROM src
UNION ALL
SELECT 'complete_day', source, NULL,
       extract(epoch FROM complete_day::timestamp AT TIME ZONE 'UTC')::float8
  FROM src
UNION ALL
SELECT 'runs', s.source, o.outcome, count(r.source)::float8
  FROM unnest($2::text[]) AS s(source)
 CROSS JOIN (VALUES ('succeeded'), ('failed'), ('cancelled')) AS o(outcome)
  LEFT JOIN runs r ON r.source = s.source AND r.status = o.outcome
 GROUP BY s.source, o.outcome
UNION ALL
SELECT 'runs', source, status, count(*)::float8
  FROM runs WHERE source <> ALL ($2::text[]) GROUP BY source, status
UNION ALL
SELECT 'run_le', r.source, b.bound::text,
       count(*) FILTER (WHERE r.seconds <= b.bound)::float8
  FROM runs r CROSS JOIN unnest($3::float8[]) AS b(bound)
 GROUP BY r.source, b.bound
UNION ALL
SELECT 'run_sum', source, NULL, sum(seconds)::float8
  FROM runs GROUP BY source

-- Freshness per source: the latest day and time a job of it succeeded,
-- and its latest run.
SELECT s.source,
       (SELECT max(coalesce(j.window_to, j.finished_at::date))::text
          FROM signalroom.jobs j
         WHERE j.source = s.source AND j.status = 'succeeded'),
       (SELECT max(j.finished_at)::text FROM signalroom.jobs j
         WHERE j.source = s.source AND j.status = 'succeeded'),
       (SELECT signalroom.run_json(r.id)::text FROM signalroom.runs r
         WHERE r.source = s.source ORDER BY r.id DESC LIMIT 1)
  FROM unnest(ARRAY['everflow', 'redtrack', 's3_exports']) AS s(source)

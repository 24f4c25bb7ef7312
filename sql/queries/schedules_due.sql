-- Every enabled schedule, with what the scheduler needs to evaluate it,
-- dependencies before their dependents (a schedule's depth is its longest
-- chain of dependencies) so that a catch-up fires them in one round in
-- the right order.  Epoch seconds keep the C side free of time-zone
-- parsing.  after: the names it waits for, comma-separated.
WITH RECURSIVE depth(name, n) AS (
  SELECT s.name, 0 FROM signalroom.schedules s
   WHERE NOT EXISTS (SELECT 1 FROM signalroom.schedule_after a
                      WHERE a.schedule_name = s.name)
  UNION ALL
  SELECT a.schedule_name, d.n + 1
    FROM signalroom.schedule_after a JOIN depth d ON a.after_name = d.name
   WHERE d.n < 64)
SELECT s.name, s.cron, s.source, s.window_days,
       coalesce((SELECT string_agg(a.after_name, ', ' ORDER BY a.after_name)
                   FROM signalroom.schedule_after a
                  WHERE a.schedule_name = s.name), ''),
       s.wait_minutes, s.catch_up_minutes,
       coalesce(extract(epoch FROM s.last_tick_at)::bigint::text, ''),
       extract(epoch FROM now())::bigint
  FROM signalroom.schedules s
  LEFT JOIN (SELECT name, max(n) AS n FROM depth GROUP BY name) d
         ON d.name = s.name
 WHERE s.enabled
 ORDER BY coalesce(d.n, 64), s.name

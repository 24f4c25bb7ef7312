-- Every enabled schedule, with what the scheduler needs to evaluate it,
-- dependencies before their dependents so that a catch-up fires both in
-- one round in the right order.  Epoch seconds keep the C side free of
-- time-zone parsing.
WITH RECURSIVE depth(name, n) AS (
  SELECT name, 0 FROM signalroom.schedules WHERE after_schedule IS NULL
  UNION ALL
  SELECT s.name, d.n + 1
    FROM signalroom.schedules s JOIN depth d ON s.after_schedule = d.name
   WHERE d.n < 64)
SELECT s.name, s.cron, s.source, s.window_days,
       coalesce(s.after_schedule, ''), s.wait_minutes, s.catch_up_minutes,
       coalesce(extract(epoch FROM s.last_tick_at)::bigint::text, ''),
       extract(epoch FROM now())::bigint
  FROM signalroom.schedules s
  LEFT JOIN depth d ON d.name = s.name
 WHERE s.enabled
 ORDER BY coalesce(d.n, 64), s.name

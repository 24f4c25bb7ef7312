-- Every enabled schedule, with what the scheduler needs to evaluate it.
-- Epoch seconds keep the C side free of time-zone parsing.
SELECT name, cron, source, window_days, coalesce(after_schedule, ''),
       wait_minutes, catch_up_minutes,
       coalesce(extract(epoch FROM last_tick_at)::bigint::text, ''),
       extract(epoch FROM now())::bigint
  FROM signalroom.schedules
 WHERE enabled
 ORDER BY name

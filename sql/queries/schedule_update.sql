-- $1 name; $2..$6 new values or NULL to keep: cron, enabled, window_days,
-- wait_minutes, catch_up_minutes.  (What it waits for: schedule_after_set.)
UPDATE signalroom.schedules
   SET cron = coalesce($2::text, cron),
       enabled = coalesce($3::boolean, enabled),
       window_days = coalesce($4::integer, window_days),
       wait_minutes = coalesce($5::integer, wait_minutes),
       catch_up_minutes = coalesce($6::integer, catch_up_minutes),
       -- Resuming must not replay what was missed while paused.
       last_tick_at = CASE WHEN $3::boolean AND NOT enabled THEN now()
                           ELSE last_tick_at END,
       updated_at = now()
 WHERE name = $1::text
RETURNING name

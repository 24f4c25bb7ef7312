-- $1 schedule, $2 tick epoch, $3 outcome, $4 note.  Records the tick;
-- returns a row only for the one instance that recorded it first.  A
-- 'waiting' tick may still be decided; a decided one never changes (the
-- conflicting insert waits for the row lock, then sees the decision).
INSERT INTO signalroom.schedule_ticks AS t
       (schedule_name, tick_at, outcome, note)
VALUES ($1::text, to_timestamp($2::bigint), $3::text, $4::text)
ON CONFLICT (schedule_name, tick_at) DO UPDATE
   SET outcome = excluded.outcome, note = excluded.note,
       recorded_at = now()
 WHERE t.outcome = 'waiting'
RETURNING 1

-- $1 schedule, $2 tick epoch, $3 outcome, $4 note.  Records the tick;
-- returns a row only for the one instance that recorded it first.
INSERT INTO signalroom.schedule_ticks (schedule_name, tick_at, outcome, note)
VALUES ($1::text, to_timestamp($2::bigint), $3::text, $4::text)
ON CONFLICT DO NOTHING
RETURNING 1

-- $1 schedule, $2 tick epoch, $3 note.  Marks the tick as waiting for its
-- dependency (first caller only) and returns its outcome and since when it
-- has waited, as epoch seconds.
WITH mark AS (
  INSERT INTO signalroom.schedule_ticks (schedule_name, tick_at, outcome,
                                         note)
  VALUES ($1::text, to_timestamp($2::bigint), 'waiting', $3::text)
  ON CONFLICT (schedule_name, tick_at) DO NOTHING
  RETURNING outcome, recorded_at)
SELECT outcome, extract(epoch FROM recorded_at)::bigint FROM mark
UNION ALL
SELECT outcome, extract(epoch FROM recorded_at)::bigint
  FROM signalroom.schedule_ticks
 WHERE schedule_name = $1::text AND tick_at = to_timestamp($2::bigint)
   AND NOT EXISTS (SELECT 1 FROM mark)

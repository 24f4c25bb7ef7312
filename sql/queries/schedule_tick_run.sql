-- $1 schedule, $2 tick epoch, $3 run id (NULL: none), $4 outcome, $5 note.
UPDATE signalroom.schedule_ticks
   SET run_id = $3::bigint, outcome = $4::text, note = $5::text
 WHERE schedule_name = $1::text AND tick_at = to_timestamp($2::bigint)

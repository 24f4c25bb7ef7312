-- $1 schedule, $2 epoch of the latest tick dealt with.
UPDATE signalroom.schedules
   SET last_tick_at = greatest(coalesce(last_tick_at, '-infinity'),
                               to_timestamp($2::bigint))
 WHERE name = $1::text

-- $1 schedule, $2 tick epoch, $3 the day's start epoch (local midnight).
-- The status of the run of schedule $1's latest tick in [$3, $2]
-- ('' when that schedule has not fired that day).
SELECT coalesce((SELECT r.status
                   FROM signalroom.schedule_ticks t
                   JOIN signalroom.runs r ON r.id = t.run_id
                  WHERE t.schedule_name = $1::text AND t.outcome = 'fired'
                    AND t.tick_at BETWEEN to_timestamp($3::bigint)
                                      AND to_timestamp($2::bigint)
                  ORDER BY t.tick_at DESC LIMIT 1), '')

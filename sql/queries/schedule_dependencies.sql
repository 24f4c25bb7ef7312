-- $1 schedule, $2 tick epoch, $3 the day's start epoch (local midnight).
-- Every schedule that $1 waits for, with the status of the run of its
-- latest tick in [$3, $2] ('' when it has not fired that day).
SELECT a.after_name,
       coalesce((SELECT r.status
                   FROM signalroom.schedule_ticks t
                   JOIN signalroom.runs r ON r.id = t.run_id
                  WHERE t.schedule_name = a.after_name
                    AND t.outcome = 'fired'
                    AND t.tick_at BETWEEN to_timestamp($3::bigint)
                                      AND to_timestamp($2::bigint)
                  ORDER BY t.tick_at DESC LIMIT 1), '')
  FROM signalroom.schedule_after a
 WHERE a.schedule_name = $1::text
 ORDER BY a.after_name

-- $1 dead letter id.  See signalroom.retry_dead_letter: the new job's id,
-- or the notification queued again (then the second column is true).
SELECT signalroom.retry_dead_letter($1::bigint),
       EXISTS (SELECT 1 FROM signalroom.dead_letters
                WHERE id = $1::bigint AND notification_id IS NOT NULL)

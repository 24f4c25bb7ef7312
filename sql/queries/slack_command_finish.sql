-- A command's state after a try: $1 id, $2 'done' or 'deferred', $3 the
-- answer given (JSON, NULL when deferred).
UPDATE signalroom.slack_commands
   SET status = $2, reply = $3::jsonb, lease_until = NULL,
       finished_at = CASE WHEN $2 = 'done' THEN now() END
 WHERE id = $1::bigint

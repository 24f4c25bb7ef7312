-- The oldest deferred command nobody holds, leased to the caller for
-- $1 seconds (another instance takes it over after that).  Only while
-- its response_url is valid (Slack: 30 minutes) and at most 5 tries.
UPDATE signalroom.slack_commands c
   SET lease_until = now() + make_interval(secs => $1::int),
       attempts = c.attempts + 1
 WHERE c.id = (SELECT id FROM signalroom.slack_commands
                WHERE status = 'deferred'
                  AND (lease_until IS NULL OR lease_until < now())
                  AND created_at > now() - interval '30 minutes'
                  AND attempts < 5
                ORDER BY id
                FOR UPDATE SKIP LOCKED LIMIT 1)
RETURNING c.id, c.user_id, c.channel_id, c.command_text, c.response_url

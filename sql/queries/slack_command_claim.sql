-- The oldest deferred command nobody holds, leased to the caller for
-- $1 seconds (another instance takes it over after that).  Only while
-- its response_url is valid (Slack: 30 minutes) and at most 5 tries.
-- A command still 'running' a minute after it came lost its API thread
-- (the instance died, or its connection with the answer): it is taken
-- as deferred, since an API thread's statements stop within seconds.
UPDATE signalroom.slack_commands c
   SET status = 'deferred',
       lease_until = now() + make_interval(secs => $1::int),
       attempts = c.attempts + 1
 WHERE c.id = (SELECT id FROM signalroom.slack_commands
                WHERE (status = 'deferred'
                       OR (status = 'running'
                           AND created_at < now() - interval '1 minute'))
                  AND (lease_until IS NULL OR lease_until < now())
                  AND created_at > now() - interval '30 minutes'
                  AND attempts < 5
                ORDER BY id
                FOR UPDATE SKIP LOCKED LIMIT 1)
RETURNING c.id, c.user_id, c.channel_id, c.command_text, c.response_url

-- Remember a slash command before it runs; a retry (the same body, so
-- the same $1) finds the first row instead.  $1 body hash, $2 user,
-- $3 channel, $4 text, $5 response_url.  One row: id, is_new, status,
-- reply (the answer given, when done).
WITH ins AS (
  INSERT INTO signalroom.slack_commands
         (body_sha256, user_id, channel_id, command_text, response_url)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (body_sha256) DO NOTHING
  RETURNING id, status, reply
)
SELECT id, true AS is_new, status, reply::text FROM ins
UNION ALL
SELECT id, false, status, reply::text FROM signalroom.slack_commands
 WHERE body_sha256 = $1 AND NOT EXISTS (SELECT 1 FROM ins)

-- Post run $1's outcome to $3 when it ends (trigger runs_slack_reply);
-- $2 the command that queued it.
INSERT INTO signalroom.slack_run_replies (run_id, command_id, response_url)
VALUES ($1::bigint, $2::bigint, $3)
ON CONFLICT (run_id) DO NOTHING

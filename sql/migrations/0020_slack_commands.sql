-- Slack slash commands (POST /v1/slack/commands): each signed request is
-- remembered by the hash of its raw body, so a retry of the same command
-- (Slack resends the very body, X-Slack-Retry-Num added, when our answer
-- was late) finds its row and is answered without running again.  A body
-- carries Slack's trigger_id, unique per invocation, so two commands
-- never share a key.
CREATE TABLE signalroom.slack_commands (
  id            bigserial   PRIMARY KEY,
  body_sha256   text        NOT NULL UNIQUE,
  user_id       text        NOT NULL,
  channel_id    text        NOT NULL,
  command_text  text        NOT NULL,
  response_url  text        NOT NULL,
  -- running: an API thread has it (still so a minute later, the thread
  -- is gone and the follow-up takes it); deferred: it ran out of its
  -- time budget and waits for the follow-up thread (which posts the
  -- answer through the outbox); done: reply is the answer given.
  status        text        NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'deferred', 'done')),
  reply         jsonb,
  lease_until   timestamptz,
  attempts      integer     NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX slack_commands_open ON signalroom.slack_commands (id)
  WHERE status <> 'done';
CREATE INDEX slack_commands_created ON signalroom.slack_commands (created_at);

-- A run queued by `/signalroom sync` and where its outcome goes.
CREATE TABLE signalroom.slack_run_replies (
  run_id        bigint      PRIMARY KEY REFERENCES signalroom.runs (id),
  command_id    bigint      NOT NULL REFERENCES signalroom.slack_commands (id),
  response_url  text        NOT NULL
);

-- When such a run ends, its outcome is queued for the response_url in the
-- transaction that ended it (the outbox delivers it).  Texts from the run
-- (its error) are escaped for Slack.
CREATE FUNCTION signalroom.slack_run_ended() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  url text;
  msg text;
BEGIN
  SELECT response_url INTO url FROM signalroom.slack_run_replies
   WHERE run_id = NEW.id;
  IF url IS NULL THEN
    RETURN NEW;
  END IF;
  msg := CASE NEW.status
           WHEN 'succeeded' THEN ':white_check_mark: Sync run ' || NEW.id
                || ' (' || signalroom.slack_escape(NEW.source) || ') succeeded.'
           WHEN 'failed' THEN ':x: Sync run ' || NEW.id || ' ('
                || signalroom.slack_escape(NEW.source) || ') failed: '
                || signalroom.slack_escape(coalesce(NEW.error, 'no reason given'))
           ELSE ':no_entry_sign: Sync run ' || NEW.id || ' ('
                || signalroom.slack_escape(NEW.source) || ') was cancelled.'
         END;
  PERFORM signalroom.enqueue_notification(
    'slack-run:' || NEW.id, 'response_url', url, 'command_reply',
    jsonb_build_object('response_type', 'ephemeral', 'text', msg));
  RETURN NEW;
END $$;

CREATE TRIGGER runs_slack_reply
  AFTER UPDATE OF status ON signalroom.runs
  FOR EACH ROW
  WHEN (NEW.status IN ('succeeded', 'failed', 'cancelled')
        AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION signalroom.slack_run_ended();

-- Open anomalies, NULL while their table (another migration) is absent:
-- `/signalroom status` works before and after it exists.
CREATE FUNCTION signalroom.slack_open_anomalies() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  n bigint;
BEGIN
  IF to_regclass('signalroom.anomalies') IS NULL THEN
    RETURN NULL;
  END IF;
  EXECUTE 'SELECT count(*) FROM signalroom.anomalies WHERE status = ''open'''
     INTO n;
  RETURN n;
END $$;

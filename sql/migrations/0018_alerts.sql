-- Failure alerts that never flood: what to send, to whom, and when.
--
-- The old system posted one Slack message per failed run, so one bad
-- deploy put dozens of identical posts into the customer's channel.  Here
-- a failure opens an *episode* per failure key (source:kind, kind being
-- the failed job's kind -- sync, plan, object -- or 'run' when the run
-- failed with no failed job); the episode alerts once, reminds at most
-- every notify_settings.remind_hours while it lasts, texts the on-call
-- numbers once when the runs keep failing, and ends with one recovery
-- message at the source's next successful run.
--
-- Everything is decided by triggers in the transaction that records the
-- event (the run's end, the dead letter) and written to the outbox with
-- signalroom.enqueue_notification, whose idempotency keys are derived
-- from the key and the episode's start: whatever replays an event, the
-- outbox holds each message once.
--
-- Which level alerts: the per-source runs.  An `all` run is a parent
-- with no jobs of its own; its status is the sum of its children's, each
-- of which already alerted (or recovered) for its own source, so the
-- parent's end is ignored -- otherwise every failed child would be
-- reported twice, once under its source and once under "all".

CREATE TABLE signalroom.alert_state (
  failure_key             text        PRIMARY KEY,   -- source:kind
  source                  text        NOT NULL,
  kind                    text        NOT NULL,
  failing_since           timestamptz,  -- NULL: healthy (no episode)
  episode                 text,         -- key prefix of the episode's
                                        -- messages, fixed at its start
  consecutive_failed_runs integer     NOT NULL DEFAULT 0,
  dead_letters            integer     NOT NULL DEFAULT 0,
  last_failed_run         bigint,       -- counted once, however often
                                        -- its end is replayed
  last_run_id             bigint,
  last_alert_at           timestamptz,  -- the alert or the last reminder
  reminders               integer     NOT NULL DEFAULT 0,
  last_error              text,
  sms_sent                boolean     NOT NULL DEFAULT false,
  recovered_at            timestamptz,  -- end of the previous episode
  updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_state_failing ON signalroom.alert_state (source)
  WHERE failing_since IS NOT NULL;

-- "4 h 12 min", "3 d 2 h", "45 s": how long, for people.
CREATE FUNCTION signalroom.alert_duration(p interval)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
           WHEN s >= 86400 THEN (s / 86400) || ' d ' || (s % 86400 / 3600)
                                || ' h'
           WHEN s >= 3600 THEN (s / 3600) || ' h ' || (s % 3600 / 60)
                               || ' min'
           WHEN s >= 60 THEN (s / 60) || ' min'
           ELSE s || ' s'
         END
    FROM (SELECT greatest(floor(extract(epoch FROM p)), 0)::bigint AS s) x
$$;

-- A Slack message in the old alert layout (original system, section 6):
-- emoji by level and a bold title, the message, the details as
-- "key: value" lines in a code block, then "_Source: signalroom_ |
-- _timestamp_".  Every argument that may hold upstream text is escaped
-- by the caller; this only lays it out.
CREATE FUNCTION signalroom.alert_slack_text(p_level text, p_title text,
                                            p_message text,
                                            p_details text[])
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE p_level WHEN 'error' THEN ':rotating_light:'
                      WHEN 'warning' THEN ':warning:'
                      ELSE ':information_source:' END
         || ' *' || p_title || '*' || E'\n\n' || p_message
         || CASE WHEN cardinality(p_details) > 0
                 THEN E'\n```' || array_to_string(p_details, E'\n')
                      || '```'
                 ELSE '' END
         || E'\n\n_Source: signalroom_ | _'
         || to_char(now() AT TIME ZONE s.timezone, 'YYYY-MM-DD HH24:MI:SS')
         || ' ' || s.timezone || '_'
    FROM signalroom.notify_settings s
$$;

-- The old alert's one-line SMS: "[ALERT] title: message" with the
-- message cut to 100 characters and "..." when longer (Twilio's 160
-- characters are enforced by enqueue_notification).
CREATE FUNCTION signalroom.alert_sms_text(p_level text, p_title text,
                                          p_message text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_level WHEN 'error' THEN '[ALERT]'
                      WHEN 'warning' THEN '[WARN]'
                      ELSE '[INFO]' END
         || ' ' || p_title
         || CASE WHEN coalesce(p_message, '') = '' THEN ''
                 ELSE ': ' || left(m, 100)
                      || CASE WHEN length(m) > 100 THEN '...' ELSE '' END
            END
    FROM (SELECT regexp_replace(coalesce(p_message, ''), '\s+', ' ', 'g')
                 AS m) x
$$;

-- One failure of @p_source's @p_kind: a failed run (@p_is_run) or a dead
-- letter of run @p_run.  Opens the episode with its alert, or counts the
-- failure and, for a failed run, reminds when remind_hours passed since
-- the last message; texts once when the consecutive failed runs exceed
-- sms_after_failures.  A run whose job died writes the dead letter and
-- then ends failed in one transaction: the dead letter opens the episode
-- (one alert), the run's end only counts.
CREATE FUNCTION signalroom.alert_failure(p_source text, p_kind text,
                                         p_run bigint, p_error text,
                                         p_is_run boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  k text := p_source || ':' || p_kind;
  cfg signalroom.notify_settings%ROWTYPE;
  a signalroom.alert_state%ROWTYPE;
  ep text;
  src text := signalroom.slack_escape(p_source);
  knd text := signalroom.slack_escape(p_kind);
  err text := signalroom.slack_escape(left(coalesce(p_error, 'no error text'),
                                           300));
  dl integer;
  details text[];
BEGIN
  SELECT * INTO cfg FROM signalroom.notify_settings;
  INSERT INTO signalroom.alert_state (failure_key, source, kind)
  VALUES (k, p_source, p_kind) ON CONFLICT DO NOTHING;
  -- Concurrent failures of one key (two jobs of a run dying at once)
  -- take turns here, so only one of them opens the episode.
  SELECT * INTO a FROM signalroom.alert_state WHERE failure_key = k
     FOR UPDATE;
  IF p_is_run AND a.failing_since IS NOT NULL
     AND a.last_failed_run IS NOT DISTINCT FROM p_run THEN
    RETURN;   -- this run's failure was counted already (a replay)
  END IF;
  SELECT count(*) INTO dl FROM signalroom.dead_letters
   WHERE run_id = p_run AND retried_at IS NULL;
  details := ARRAY['source: ' || src, 'kind: ' || knd, 'run: ' || p_run,
                   'dead letters: ' || dl];

  IF a.failing_since IS NULL THEN
    UPDATE signalroom.alert_state
       SET failing_since = now(),
           consecutive_failed_runs = CASE WHEN p_is_run THEN 1 ELSE 0 END,
           dead_letters = CASE WHEN p_is_run THEN 0 ELSE 1 END,
           last_failed_run = CASE WHEN p_is_run THEN p_run END,
           last_run_id = p_run, last_alert_at = now(), reminders = 0,
           last_error = left(p_error, 2000), sms_sent = false,
           episode = 'alert:' || k || ':'
                     || (extract(epoch FROM now()) * 1000000)::bigint,
           updated_at = now()
     WHERE failure_key = k
     RETURNING * INTO a;
    ep := a.episode;
    PERFORM signalroom.enqueue_notification(
      ep, 'slack', NULL, 'alert',
      jsonb_build_object('text', signalroom.alert_slack_text(
        'error', 'Pipeline failed: ' || src || ' ' || knd, err, details)));
  ELSE
    UPDATE signalroom.alert_state
       SET consecutive_failed_runs = consecutive_failed_runs
                                     + CASE WHEN p_is_run THEN 1 ELSE 0 END,
           dead_letters = dead_letters + CASE WHEN p_is_run THEN 0 ELSE 1 END,
           last_failed_run = CASE WHEN p_is_run THEN p_run
                                  ELSE last_failed_run END,
           last_run_id = p_run, last_error = left(p_error, 2000),
           updated_at = now()
     WHERE failure_key = k
     RETURNING * INTO a;
    ep := a.episode;
    -- Reminders come with failed runs only: a run's dead letters are
    -- part of its failure, and one run reminds at most once.
    IF p_is_run AND now() - a.last_alert_at
       >= make_interval(secs => cfg.remind_hours * 3600) THEN
      UPDATE signalroom.alert_state
         SET last_alert_at = now(), reminders = reminders + 1
       WHERE failure_key = k
       RETURNING * INTO a;
      PERFORM signalroom.enqueue_notification(
        ep || ':reminder:' || a.reminders, 'slack', NULL, 'reminder',
        jsonb_build_object('text', signalroom.alert_slack_text(
          'warning', 'Still failing: ' || src || ' ' || knd,
          'Failing for ' || signalroom.alert_duration(now() - a.failing_since)
          || ': ' || a.consecutive_failed_runs || ' failed run(s), '
          || a.dead_letters || ' dead letter(s). Last error: ' || err,
          details)));
    END IF;
  END IF;

  IF a.consecutive_failed_runs > cfg.sms_after_failures
     AND NOT a.sms_sent THEN
    UPDATE signalroom.alert_state SET sms_sent = true WHERE failure_key = k;
    -- Critical: quiet hours do not hold it.
    PERFORM signalroom.enqueue_notification(
      ep || ':sms', 'sms', '@alert', 'alert',
      jsonb_build_object('body', signalroom.alert_sms_text(
        'error', p_source || ' ' || p_kind || ' failing',
        a.consecutive_failed_runs || ' runs in a row since '
        || to_char(a.failing_since AT TIME ZONE cfg.timezone,
                   'YYYY-MM-DD HH24:MI') || '. ' || coalesce(p_error, ''))),
      true);
  END IF;
END $$;

-- The first success of @p_source: every failing key of the source gets
-- its recovery message (and a text when the episode texted; not
-- critical, so it waits out the quiet hours) and is healthy again.
CREATE FUNCTION signalroom.alert_recovery(p_source text, p_run bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  a signalroom.alert_state%ROWTYPE;
  ep text;
  down text;
BEGIN
  FOR a IN SELECT * FROM signalroom.alert_state
            WHERE source = p_source AND failing_since IS NOT NULL
            ORDER BY failure_key FOR UPDATE LOOP
    ep := a.episode;
    down := signalroom.alert_duration(now() - a.failing_since);
    PERFORM signalroom.enqueue_notification(
      ep || ':recovery', 'slack', NULL, 'recovery',
      jsonb_build_object('text', signalroom.alert_slack_text(
        'info', 'Recovered: ' || signalroom.slack_escape(a.source) || ' '
                || signalroom.slack_escape(a.kind),
        'Down for ' || down || ' (' || a.consecutive_failed_runs
        || ' failed run(s), ' || a.dead_letters || ' dead letter(s)).',
        ARRAY['source: ' || signalroom.slack_escape(a.source),
              'kind: ' || signalroom.slack_escape(a.kind),
              'run: ' || p_run])));
    IF a.sms_sent THEN
      PERFORM signalroom.enqueue_notification(
        ep || ':recovery-sms', 'sms', '@alert', 'recovery',
        jsonb_build_object('body', signalroom.alert_sms_text(
          'info', a.source || ' ' || a.kind || ' recovered',
          'down for ' || down)),
        false);
    END IF;
    UPDATE signalroom.alert_state
       SET failing_since = NULL, episode = NULL, consecutive_failed_runs = 0,
           dead_letters = 0, last_failed_run = NULL, last_run_id = p_run,
           last_alert_at = NULL, reminders = 0, sms_sent = false,
           recovered_at = now(), updated_at = now()
     WHERE failure_key = a.failure_key;
  END LOOP;
END $$;

-- An alert must never cost the event it reports: an error in the policy
-- is logged (WARNING) and the run or dead letter is still recorded; only
-- serialization failures and deadlocks go up, so the caller's
-- transaction runner retries the whole thing.
CREATE FUNCTION signalroom.alert_runs_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kinds text[];
  kd text;
BEGIN
  -- A parent (`all`) run: its children alerted for themselves.
  IF EXISTS (SELECT 1 FROM signalroom.runs WHERE parent_id = NEW.id) THEN
    RETURN NULL;
  END IF;
  BEGIN
    IF NEW.status = 'succeeded' THEN
      PERFORM signalroom.alert_recovery(NEW.source, NEW.id);
    ELSE
      SELECT array_agg(DISTINCT kind ORDER BY kind) INTO kinds
        FROM signalroom.jobs
       WHERE run_id = NEW.id AND status IN ('failed', 'dead');
      FOREACH kd IN ARRAY coalesce(kinds, ARRAY['run']) LOOP
        PERFORM signalroom.alert_failure(NEW.source, kd, NEW.id, NEW.error,
                                         true);
      END LOOP;
    END IF;
  EXCEPTION
    WHEN serialization_failure OR deadlock_detected THEN RAISE;
    WHEN OTHERS THEN
      RAISE WARNING 'signalroom alert for run % not queued: % (%)',
                    NEW.id, SQLERRM, SQLSTATE;
  END;
  RETURN NULL;
END $$;

CREATE FUNCTION signalroom.alert_dead_letters_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    PERFORM signalroom.alert_failure(
      NEW.source, coalesce((SELECT kind FROM signalroom.jobs
                             WHERE id = NEW.job_id), 'run'),
      NEW.run_id, NEW.error, false);
  EXCEPTION
    WHEN serialization_failure OR deadlock_detected THEN RAISE;
    WHEN OTHERS THEN
      RAISE WARNING 'signalroom alert for dead letter % not queued: % (%)',
                    NEW.id, SQLERRM, SQLSTATE;
  END;
  RETURN NULL;
END $$;

-- Only a real change of state is an event: refresh_run also writes
-- 'running' over 'running', and a cancelled run is no failure.
CREATE TRIGGER runs_alert
  AFTER UPDATE OF status ON signalroom.runs
  FOR EACH ROW
  WHEN (NEW.status IN ('failed', 'succeeded')
        AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION signalroom.alert_runs_trigger();

CREATE TRIGGER dead_letters_alert
  AFTER INSERT ON signalroom.dead_letters
  FOR EACH ROW EXECUTE FUNCTION signalroom.alert_dead_letters_trigger();

-- The outbox: every Slack message and SMS is first a row here, written in
-- the same transaction as the event that caused it (a run's end, a dead
-- letter, an anomaly, a snapshot, a slash command), then delivered by the
-- worker pool.  The idempotency key makes a second write of the same
-- event add nothing; the row's state makes a delivery happen once across
-- retries, restarts and instances.

-- Where and how notifications go, as the running instances were
-- configured (each writes its configuration here at startup, so SQL that
-- raises an alert knows the channel, the numbers and the policy).
CREATE TABLE signalroom.notify_settings (
  id                  boolean     PRIMARY KEY DEFAULT true CHECK (id),
  slack_channel       text,       -- SLACK_CHANNEL_ID; NULL: no Slack posts
  alert_sms_to        text[]      NOT NULL DEFAULT '{}',  -- ALERT_SMS_TO
  report_sms_to       text[]      NOT NULL DEFAULT '{}',  -- REPORT_SMS_TO
  remind_hours        double precision NOT NULL DEFAULT 4
                      CHECK (remind_hours > 0),
  sms_after_failures  integer     NOT NULL DEFAULT 3
                      CHECK (sms_after_failures >= 0),
  quiet_from          smallint    CHECK (quiet_from BETWEEN 0 AND 23),
  quiet_to            smallint    CHECK (quiet_to BETWEEN 0 AND 23),
  timezone            text        NOT NULL DEFAULT 'America/New_York',
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((quiet_from IS NULL) = (quiet_to IS NULL))
);
INSERT INTO signalroom.notify_settings DEFAULT VALUES;

CREATE TABLE signalroom.notifications (
  id              bigserial   PRIMARY KEY,
  idempotency_key text        NOT NULL UNIQUE,
  channel         text        NOT NULL
                  CHECK (channel IN ('slack', 'sms', 'response_url')),
  target          text        NOT NULL,  -- Slack channel, E.164, URL
  kind            text        NOT NULL,  -- alert, reminder, recovery, ...
  critical        boolean     NOT NULL DEFAULT false,
  payload         jsonb       NOT NULL,  -- {text, blocks} or {body}
  status          text        NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'sending', 'sent', 'dead')),
  attempts        integer     NOT NULL DEFAULT 0,
  max_attempts    integer     NOT NULL DEFAULT 8 CHECK (max_attempts > 0),
  run_after       timestamptz NOT NULL DEFAULT now(),
  lease_owner     text,
  lease_until     timestamptz,
  last_error      text,
  response        jsonb,                 -- Slack ts/channel, Twilio sid
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX notifications_due ON signalroom.notifications (run_after, id)
  WHERE status = 'queued';
CREATE INDEX notifications_leased ON signalroom.notifications (lease_until)
  WHERE status = 'sending';
CREATE INDEX notifications_created ON signalroom.notifications
  (created_at DESC, id DESC);

-- The end of the quiet hours when @p_at falls inside them, else NULL.
-- quiet_from 22, quiet_to 7 means 22:00-06:59 local time.
CREATE FUNCTION signalroom.quiet_until(p_at timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT CASE
           WHEN s.quiet_from IS NULL THEN NULL
           WHEN (s.quiet_from < s.quiet_to
                 AND h >= s.quiet_from AND h < s.quiet_to)
             OR (s.quiet_from >= s.quiet_to
                 AND (h >= s.quiet_from OR h < s.quiet_to))
           THEN ((date_trunc('day', l)
                  + make_interval(hours => s.quiet_to)
                  + CASE WHEN h >= s.quiet_to THEN interval '1 day'
                         ELSE interval '0' END)
                 AT TIME ZONE s.timezone)
         END
    FROM signalroom.notify_settings s,
         LATERAL (SELECT p_at AT TIME ZONE s.timezone AS l) loc,
         LATERAL (SELECT extract(hour FROM loc.l)::int AS h) hr
$$;

-- Queue one notification; the one write every producer uses.
--   p_channel 'slack':        p_target a channel id, or NULL for the
--                             configured channel (nothing is queued when
--                             none is configured);
--   p_channel 'sms':          p_target a number, '@alert' (ALERT_SMS_TO)
--                             or '@report' (REPORT_SMS_TO): one row per
--                             number, keyed p_key || ':' || number; the
--                             body is cut to 160 characters; a text that
--                             is not critical waits out the quiet hours;
--   p_channel 'response_url': p_target the URL Slack gave.
-- A key seen before adds nothing.  Returns the rows added.
CREATE FUNCTION signalroom.enqueue_notification(
    p_key text, p_channel text, p_target text, p_kind text, p_payload jsonb,
    p_critical boolean DEFAULT false, p_run_after timestamptz DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  s signalroom.notify_settings%ROWTYPE;
  targets text[];
  t text;
  added integer := 0;
  n integer;
  due timestamptz := coalesce(p_run_after, now());
  payload jsonb := p_payload;
BEGIN
  SELECT * INTO s FROM signalroom.notify_settings;
  IF p_channel = 'slack' THEN
    targets := ARRAY[coalesce(p_target, s.slack_channel)];
  ELSIF p_channel = 'sms' THEN
    targets := CASE p_target WHEN '@alert' THEN s.alert_sms_to
                             WHEN '@report' THEN s.report_sms_to
                             ELSE ARRAY[p_target] END;
    payload := jsonb_set(payload, '{body}',
                         to_jsonb(left(payload->>'body', 160)));
    IF NOT p_critical THEN
      due := greatest(due, coalesce(signalroom.quiet_until(due), due));
    END IF;
  ELSE
    targets := ARRAY[p_target];
  END IF;
  FOREACH t IN ARRAY coalesce(targets, '{}') LOOP
    CONTINUE WHEN t IS NULL OR t = '';
    INSERT INTO signalroom.notifications
           (idempotency_key, channel, target, kind, critical, payload,
            run_after)
    VALUES (CASE WHEN p_channel = 'sms' AND p_target LIKE '@%'
                 THEN p_key || ':' || t ELSE p_key END,
            p_channel, t, p_kind, p_critical, payload, due)
    ON CONFLICT (idempotency_key) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    added := added + n;
  END LOOP;
  IF added > 0 THEN
    PERFORM pg_notify('signalroom_outbox', '');
  END IF;
  RETURN added;
END $$;

-- Text from upstream data (affiliate labels, source names, error texts)
-- made safe for a Slack message: the three characters Slack's formatting
-- reserves are escaped as Slack asks, so nothing becomes a link or a
-- <!channel> mention, and a literal @channel/@here/@everyone gets a word
-- joiner after the @ so that no client turns it into a mention either.
-- server/base has the same rule in C (sr_slack_escape); a test holds them
-- equal.
CREATE FUNCTION signalroom.slack_escape(p text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(
           replace(replace(replace(p, '&', '&amp;'), '<', '&lt;'), '>',
                   '&gt;'),
           '@(channel|here|everyone)', '@' || chr(8288) || '\1', 'gi')
$$;

-- Delivering the outbox (0017) exactly once.
--
-- A row goes queued -> sending (claimed: the attempt is counted and
-- committed before anything is sent) -> sent | queued (retry, back-off)
-- | dead.  A row found 'sending' with its lease run out belongs to an
-- instance that died between the upstream's accept and our record: it is
-- "in doubt", and whoever claims it asks the upstream before sending
-- again.  A send that got no answer is in doubt the same way.
ALTER TABLE signalroom.notifications
  ADD COLUMN in_doubt boolean NOT NULL DEFAULT false;

-- Messages dead for good are dead letters too, beside the jobs'.
ALTER TABLE signalroom.dead_letters
  ALTER COLUMN job_id DROP NOT NULL,
  ALTER COLUMN run_id DROP NOT NULL,
  ADD COLUMN notification_id bigint
    REFERENCES signalroom.notifications (id) ON DELETE CASCADE,
  ADD CONSTRAINT dead_letters_job_or_notification
    CHECK ((job_id IS NULL) <> (notification_id IS NULL));
CREATE INDEX dead_letters_notification ON signalroom.dead_letters
  (notification_id) WHERE notification_id IS NOT NULL;

-- Claim up to @p_limit due rows of the channels this instance can send
-- for @p_owner: queued ones whose time has come and sending ones whose
-- lease ran out (those become in doubt).  One statement, so the claim
-- and the counted attempt are committed before the caller sends.
CREATE FUNCTION signalroom.claim_notifications(
    p_owner text, p_lease_s integer, p_limit integer, p_channels text[])
RETURNS SETOF signalroom.notifications LANGUAGE sql AS $$
  WITH due AS (
    SELECT id FROM (
      (SELECT id, run_after AS due_at FROM signalroom.notifications
        WHERE status = 'queued' AND run_after <= now()
          AND channel = ANY (p_channels)
        ORDER BY run_after, id LIMIT p_limit)
      UNION ALL
      (SELECT id, lease_until FROM signalroom.notifications
        WHERE status = 'sending' AND lease_until < now()
          AND channel = ANY (p_channels)
        ORDER BY lease_until, id LIMIT p_limit)) c
     ORDER BY due_at, id
     LIMIT p_limit),
  locked AS (
    SELECT n.id FROM signalroom.notifications n JOIN due USING (id)
     WHERE n.status = 'queued' AND n.run_after <= now()
        OR n.status = 'sending' AND n.lease_until < now()
       FOR UPDATE OF n SKIP LOCKED)
  UPDATE signalroom.notifications n
     SET in_doubt = n.in_doubt OR n.status = 'sending',
         status = 'sending',
         attempts = n.attempts + 1,
         lease_owner = p_owner,
         lease_until = now() + make_interval(secs => p_lease_s)
    FROM locked
   WHERE n.id = locked.id
  RETURNING n.*
$$;

-- Extend the lease of a row this owner holds, just before it is sent, so
-- the time spent asking the upstream cannot let another instance take
-- it mid-send.  false: no longer ours (do not send).
CREATE FUNCTION signalroom.renew_notification(
    p_id bigint, p_owner text, p_lease_s integer)
RETURNS boolean LANGUAGE sql AS $$
  WITH r AS (
    UPDATE signalroom.notifications
       SET lease_until = now() + make_interval(secs => p_lease_s)
     WHERE id = p_id AND status = 'sending' AND lease_owner = p_owner
    RETURNING 1)
  SELECT count(*) = 1 FROM r
$$;

-- Record what an attempt came to, if the row is still @p_owner's:
--   'sent':  the upstream's answer (Slack channel/ts, Twilio sid);
--   'retry': queued again after @p_retry_s seconds, in doubt when the
--            request may have arrived;
--   'dead':  failed for good; a dead letter is written with it.
-- false: another instance owns the row now (nothing changed).
CREATE FUNCTION signalroom.finish_notification(
    p_id bigint, p_owner text, p_outcome text, p_error text,
    p_response jsonb, p_retry_s double precision, p_in_doubt boolean)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  n signalroom.notifications%ROWTYPE;
BEGIN
  SELECT * INTO n FROM signalroom.notifications
   WHERE id = p_id AND status = 'sending' AND lease_owner = p_owner
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF p_outcome = 'sent' THEN
    UPDATE signalroom.notifications
       SET status = 'sent', response = p_response, sent_at = now(),
           lease_owner = NULL, lease_until = NULL, in_doubt = false,
           last_error = p_error
     WHERE id = p_id;
  ELSIF p_outcome = 'retry' THEN
    UPDATE signalroom.notifications
       SET status = 'queued', last_error = p_error, in_doubt = p_in_doubt,
           run_after = now() + make_interval(secs => greatest(p_retry_s, 0)),
           lease_owner = NULL, lease_until = NULL
     WHERE id = p_id;
  ELSIF p_outcome = 'dead' THEN
    UPDATE signalroom.notifications
       SET status = 'dead', last_error = p_error, in_doubt = p_in_doubt,
           lease_owner = NULL, lease_until = NULL
     WHERE id = p_id;
    INSERT INTO signalroom.dead_letters
           (notification_id, source, request, error, attempts)
    VALUES (p_id, n.channel,
            jsonb_build_object('notification_id', n.id,
                               'idempotency_key', n.idempotency_key,
                               'channel', n.channel, 'kind', n.kind,
                               'target', CASE WHEN n.channel = 'response_url'
                                              THEN '(response_url)'
                                              ELSE n.target END),
            coalesce(p_error, 'failed'), n.attempts);
  ELSE
    RAISE EXCEPTION 'unknown outcome %', p_outcome
      USING ERRCODE = '22023';
  END IF;
  RETURN true;
END $$;

-- Retrying a dead letter: a dead job as before (0007's function, kept
-- under the name retry_dead_job); a dead notification is queued again
-- with fresh attempts (its key unchanged, and still in doubt if it was,
-- so a message that may have arrived is asked about first).  Returns the
-- job id, or the notification id for a notification; -1 when retried
-- already; NULL when there is no such dead letter.
ALTER FUNCTION signalroom.retry_dead_letter(bigint)
  RENAME TO retry_dead_job;

CREATE FUNCTION signalroom.retry_dead_letter(p_id bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  d signalroom.dead_letters%ROWTYPE;
BEGIN
  SELECT * INTO d FROM signalroom.dead_letters WHERE id = p_id FOR UPDATE;
  IF NOT FOUND OR d.notification_id IS NULL THEN
    RETURN signalroom.retry_dead_job(p_id);
  END IF;
  IF d.retried_at IS NOT NULL THEN
    RETURN -1;
  END IF;
  UPDATE signalroom.notifications
     SET status = 'queued', attempts = 0, run_after = now(),
         lease_owner = NULL, lease_until = NULL
   WHERE id = d.notification_id AND status = 'dead';
  UPDATE signalroom.dead_letters SET retried_at = now() WHERE id = p_id;
  PERFORM pg_notify('signalroom_outbox', '');
  RETURN d.notification_id;
END $$;

-- A message that failed for good is not a pipeline failure: alerting on
-- its dead letter would queue another message, which may die the same way
-- and alert again, for ever.  It shows in /v1/dead-letters,
-- /v1/notifications and signalroom_notifications_total instead.
DROP TRIGGER dead_letters_alert ON signalroom.dead_letters;
CREATE TRIGGER dead_letters_alert
  AFTER INSERT ON signalroom.dead_letters
  FOR EACH ROW WHEN (NEW.notification_id IS NULL)
  EXECUTE FUNCTION signalroom.alert_dead_letters_trigger();

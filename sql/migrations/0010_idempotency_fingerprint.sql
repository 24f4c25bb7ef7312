-- An Idempotency-Key names one request.  Until now a key reused with a
-- different request (another source, window or force) silently returned
-- the run of the first; the request is now remembered as a fingerprint
-- (what the client asked for, not the windows computed from it) and a
-- mismatch is reported, so the API can answer 422.

ALTER TABLE signalroom.runs ADD COLUMN request_fingerprint text;

DROP FUNCTION signalroom.create_run(text, jsonb, boolean, text, text, text);

-- As in 0007, plus p_fingerprint: a repeated key with the same fingerprint
-- returns the first run {"run_id": N, "existing": true}; with another,
-- {"idempotency_mismatch": N}.  The advisory lock on the key serialises
-- concurrent requests carrying it, so only one run is ever created.
CREATE FUNCTION signalroom.create_run(p_source text, p_windows jsonb,
                                      p_force boolean, p_idempotency text,
                                      p_requested_by text,
                                      p_schedule text,
                                      p_fingerprint text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  existing bigint;
  parent bigint;
  child bigint;
  src text;
  f date;
  t date;
  other bigint;
  sources text[];
  first_fingerprint text;
BEGIN
  IF p_idempotency IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtext('signalroom.idem:' || p_idempotency));
    SELECT id, request_fingerprint INTO existing, first_fingerprint
      FROM signalroom.runs WHERE idempotency_key = p_idempotency;
    IF FOUND THEN
      IF first_fingerprint IS DISTINCT FROM p_fingerprint THEN
        RETURN jsonb_build_object('idempotency_mismatch', existing);
      END IF;
      RETURN jsonb_build_object('run_id', existing, 'existing', true);
    END IF;
  END IF;
  SELECT array_agg(k ORDER BY k) INTO sources FROM jsonb_object_keys(p_windows) AS k;
  -- One lock per source, in name order: concurrent requests for the same
  -- source see each other's runs, and never deadlock.
  FOREACH src IN ARRAY sources LOOP
    PERFORM pg_advisory_xact_lock(hashtext('signalroom.runs:' || src));
  END LOOP;
  FOREACH src IN ARRAY sources LOOP
    f := (p_windows -> src ->> 0)::date;
    t := (p_windows -> src ->> 1)::date;
    SELECT id INTO other FROM signalroom.runs r
     WHERE r.source = src AND r.status IN ('queued', 'running')
       AND (f IS NULL OR r.window_from IS NULL
            OR (r.window_from <= t AND r.window_to >= f))
     ORDER BY id LIMIT 1;
    IF FOUND THEN
      RETURN jsonb_build_object('conflict', other, 'source', src);
    END IF;
  END LOOP;
  IF p_source = 'all' THEN
    INSERT INTO signalroom.runs (source, force, idempotency_key,
                                 request_fingerprint, requested_by,
                                 schedule_name)
    VALUES ('all', p_force, p_idempotency, p_fingerprint, p_requested_by,
            p_schedule)
    RETURNING id INTO parent;
  END IF;
  FOREACH src IN ARRAY sources LOOP
    INSERT INTO signalroom.runs (source, window_from, window_to, force,
                                 parent_id, idempotency_key,
                                 request_fingerprint, requested_by,
                                 schedule_name)
    VALUES (src, (p_windows -> src ->> 0)::date,
            (p_windows -> src ->> 1)::date, p_force, parent,
            CASE WHEN parent IS NULL THEN p_idempotency END,
            CASE WHEN parent IS NULL THEN p_fingerprint END, p_requested_by,
            p_schedule)
    RETURNING id INTO child;
    PERFORM signalroom.add_run_jobs(child);
  END LOOP;
  PERFORM signalroom.notify_jobs();
  RETURN jsonb_build_object('run_id', coalesce(parent, child));
END $$;


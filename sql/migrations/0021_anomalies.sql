-- Anomalies: conditions in the loaded data a person should look at,
-- found by the load that made them visible, in its transaction, and
-- alerted once through the outbox (0017).
--
-- A condition has one identity (kind, source, brand, day, metric): a
-- re-run that finds it again adds no row and queues no message.  brand
-- and metric are '' where they do not apply (a unique constraint treats
-- NULLs as distinct, which would let a re-run add a copy).
CREATE TABLE signalroom.anomalies (
  id              bigserial   PRIMARY KEY,
  kind            text        NOT NULL
                  CHECK (kind IN ('no_rows', 'metric_band', 'unmapped_spend',
                                  'header_change', 'quarantine_burst',
                                  'missing_at_deadline')),
  source          text        NOT NULL,
  brand           text        NOT NULL DEFAULT '',
  day             date        NOT NULL,
  metric          text        NOT NULL DEFAULT '',
  observed        numeric,
  expected        numeric,
  detail          jsonb       NOT NULL DEFAULT '{}',
  message         text        NOT NULL,   -- plain text, as alerted
  critical        boolean     NOT NULL DEFAULT false,
  status          text        NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'acknowledged')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  acknowledged_by text,
  CONSTRAINT anomalies_identity UNIQUE (kind, source, brand, day, metric),
  CHECK ((status = 'acknowledged') = (acknowledged_at IS NOT NULL))
);
CREATE INDEX anomalies_open ON signalroom.anomalies (id) WHERE status = 'open';

-- The previous file of a prefix, for the header comparison.
CREATE INDEX s3_objects_prefix_date
  ON signalroom.s3_objects (bucket, prefix, file_date, key);

-- Record one anomaly and queue its alert: the one write every detector
-- uses.  Seen before (same identity): nothing, NULL.  Else the new id,
-- one Slack message keyed 'anomaly:<id>' with an Acknowledge button, and
-- for a critical one an SMS to the alert numbers.  The title and message
-- are plain text built from upstream data: they are escaped here, once,
-- for Slack.
CREATE FUNCTION signalroom.raise_anomaly(
    p_kind text, p_source text, p_brand text, p_day date, p_metric text,
    p_observed numeric, p_expected numeric, p_detail jsonb,
    p_critical boolean, p_title text, p_message text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_text text;
BEGIN
  INSERT INTO signalroom.anomalies
         (kind, source, brand, day, metric, observed, expected, detail,
          message, critical)
  VALUES (p_kind, p_source, coalesce(p_brand, ''), p_day,
          coalesce(p_metric, ''), p_observed, p_expected,
          coalesce(p_detail, '{}'), p_title || ': ' || p_message, p_critical)
  ON CONFLICT ON CONSTRAINT anomalies_identity DO NOTHING
  RETURNING id INTO v_id;
  IF v_id IS NULL THEN
    RETURN NULL;
  END IF;
  -- The old alert's layout: emoji and bold title, the message, a footer.
  v_text := CASE WHEN p_critical THEN ':rotating_light:' ELSE ':warning:' END
            || ' *Anomaly ' || v_id || ': '
            || signalroom.slack_escape(p_title) || E'*\n\n'
            || signalroom.slack_escape(p_message) || E'\n\n_Source: '
            || signalroom.slack_escape(p_source) || '_ | _'
            || to_char(p_day, 'YYYY-MM-DD') || '_';
  PERFORM signalroom.enqueue_notification(
    'anomaly:' || v_id, 'slack', NULL, 'anomaly',
    jsonb_build_object(
      'text', v_text,
      'blocks', jsonb_build_array(
        jsonb_build_object('type', 'section', 'text',
          jsonb_build_object('type', 'mrkdwn', 'text', v_text)),
        jsonb_build_object('type', 'actions', 'elements', jsonb_build_array(
          jsonb_build_object(
            'type', 'button', 'action_id', 'ack_anomaly',
            'value', v_id::text,
            'text', jsonb_build_object('type', 'plain_text',
                                       'text', 'Acknowledge')))))),
    p_critical);
  IF p_critical THEN
    -- The old alert's SMS: "[ALERT] title: first 100 characters...".
    PERFORM signalroom.enqueue_notification(
      'anomaly:' || v_id, 'sms', '@alert', 'anomaly',
      jsonb_build_object('body', '[ALERT] ' || p_title || ': '
                         || left(p_message, 100)
                         || CASE WHEN length(p_message) > 100 THEN '...'
                                 ELSE '' END),
      true);
  END IF;
  RETURN v_id;
END $$;

-- Whether @p_value is outside the band around the median of @p_history
-- (exactly four same-weekday points, else never): the deviation from the
-- median must exceed p_k robust standard deviations (1.4826 x the median
-- absolute deviation), be at least p_min_change and at least p_min_share
-- of the median (four points often have a MAD of 0: three equal values).
-- Returns the median and the half-width of the band; outside is NULL when
-- there is too little history.
CREATE FUNCTION signalroom.anomaly_band(p_value numeric, p_history numeric[],
                                        p_k numeric, p_min_change numeric,
                                        p_min_share numeric,
                                        OUT median numeric,
                                        OUT half_width numeric,
                                        OUT outside boolean)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF coalesce(cardinality(p_history), 0) < 4 THEN
    RETURN;
  END IF;
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY h)
    INTO median FROM unnest(p_history) AS h;
  SELECT p_k * 1.4826
         * percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(h - median))
    INTO half_width FROM unnest(p_history) AS h;
  outside := abs(p_value - median) > half_width
             AND abs(p_value - median) >= p_min_change
             AND abs(p_value - median) >= p_min_share * abs(median);
END $$;

-- Raise the metric_band anomaly of a figure anomaly_band put outside.
CREATE FUNCTION signalroom.raise_band_anomaly(
    p_source text, p_brand text, p_day date, p_metric text, p_value numeric,
    p_history numeric[], p_median numeric, p_half_width numeric,
    p_detail jsonb)
RETURNS bigint LANGUAGE sql AS $$
  SELECT signalroom.raise_anomaly(
           'metric_band', p_source, p_brand, p_day, p_metric, p_value,
           p_median,
           jsonb_build_object('history', to_jsonb(p_history),
                              'half_width', round(p_half_width, 2))
             || p_detail,
           false, p_brand || ' ' || p_metric || ' out of range',
           p_metric || ' on ' || p_day || ' (' || trim(to_char(p_day, 'Day'))
           || ') was ' || round(p_value, 2) || ', expected '
           || round(p_median, 2) || ' +/- ' || round(p_half_width, 2)
           || ' (the median of the four previous '
           || trim(to_char(p_day, 'Day')) || 's)')
$$;

-- The band check of one brand's daily figures over [p_from, p_to]:
-- Everflow conversions and revenue, true cost (which needs both Everflow
-- and Redtrack for the day), from the kept performance totals the reports
-- read.  Only complete days (before p_today) with rows for the brand.
CREATE FUNCTION signalroom.detect_performance_bands(
    p_client text, p_from date, p_to date, p_today date, p_k numeric,
    p_min_change numeric, p_min_share numeric)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  r record;
  b record;
  added integer := 0;
BEGIN
  FOR r IN
    WITH days AS (
      SELECT g::date AS day
        FROM generate_series(p_from, least(p_to, p_today - 1),
                             interval '1 day') AS g),
    per_day AS (
      -- the window's days and their four same-weekday predecessors
      SELECT br.code AS brand, d.day, k.w, d.day - 7 * k.w AS at,
             sum(t.conversions) AS conversions, sum(t.revenue) AS revenue,
             sum(t.cost) AS cost,
             -- a scalar subquery, one index probe a day: an EXISTS here
             -- was planned as a hash of all of Redtrack's rows (65 ms on
             -- a year's data instead of 2)
             coalesce((SELECT true FROM redtrack.daily_spend s
                        WHERE s.date = d.day - 7 * k.w
                          AND s._client_id = p_client LIMIT 1), false)
               AS has_redtrack
        FROM days d
       CROSS JOIN generate_series(0, 4) AS k(w)
       CROSS JOIN signalroom.brands br
        JOIN reports.performance_totals t
          ON t.client_id = p_client AND t.advertiser_id = br.advertiser_id
         AND t.date = d.day - 7 * k.w
       GROUP BY br.code, d.day, k.w),
    metrics AS (
      SELECT brand, day, w, m.metric, m.source, m.value
        FROM per_day
       CROSS JOIN LATERAL (VALUES
         ('conversions', 'everflow', conversions::numeric, true),
         ('revenue', 'everflow', revenue, true),
         ('cost', 'redtrack', cost, has_redtrack)) AS m(metric, source, value,
                                                       usable)
       WHERE m.usable)
    SELECT o.brand, o.day, o.metric, o.source, o.value,
           array_agg(h.value ORDER BY h.w) FILTER (WHERE h.w IS NOT NULL)
             AS history
      FROM metrics o
      LEFT JOIN metrics h ON h.brand = o.brand AND h.day = o.day
                         AND h.metric = o.metric AND h.w > 0
     WHERE o.w = 0
     GROUP BY o.brand, o.day, o.metric, o.source, o.value
  LOOP
    SELECT * INTO b FROM signalroom.anomaly_band(r.value, r.history, p_k,
                                                 p_min_change, p_min_share);
    CONTINUE WHEN b.outside IS NOT TRUE;
    IF signalroom.raise_band_anomaly(
         r.source, r.brand, r.day, r.metric, r.value, r.history, b.median,
         b.half_width, '{}') IS NOT NULL THEN
      added := added + 1;
    END IF;
  END LOOP;
  RETURN added;
END $$;

-- Everything an Everflow or Redtrack load can show, for the days
-- [p_from, p_to] it replaced, in its transaction: a complete day without
-- a row of the source, the brands' figures out of their band, and (for
-- Redtrack) unmapped spend over p_unmapped dollars a day.  Returns the
-- anomalies added.
CREATE FUNCTION signalroom.detect_load_anomalies(
    p_source text, p_client text, p_from date, p_to date, p_today date,
    p_k numeric, p_min_change numeric, p_min_share numeric,
    p_unmapped numeric)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  r record;
  added integer := 0;
BEGIN
  FOR r IN
    SELECT g::date AS day
      FROM generate_series(p_from, least(p_to, p_today - 1),
                           interval '1 day') AS g
     -- scalar subqueries, one index probe a day (see above)
     WHERE CASE p_source
             WHEN 'everflow' THEN (SELECT true FROM everflow.daily_stats s
                                    WHERE s.date = g::date
                                      AND s._client_id = p_client
                                    LIMIT 1) IS NULL
             WHEN 'redtrack' THEN (SELECT true FROM redtrack.daily_spend s
                                    WHERE s.date = g::date
                                      AND s._client_id = p_client
                                    LIMIT 1) IS NULL
             ELSE false END
  LOOP
    IF signalroom.raise_anomaly(
         'no_rows', p_source, '', r.day, '', 0, NULL, '{}', false,
         p_source || ' returned no rows',
         p_source || ' was loaded for ' || r.day
         || ' and returned no rows for that day') IS NOT NULL THEN
      added := added + 1;
    END IF;
  END LOOP;
  added := added + signalroom.detect_performance_bands(
    p_client, p_from, p_to, p_today, p_k, p_min_change, p_min_share);
  IF p_source = 'redtrack' THEN
    FOR r IN
      SELECT u.date AS day, sum(u.cost) AS cost,
             (array_agg(u.source_name ORDER BY u.cost DESC))[1] AS top_name,
             max(u.cost) AS top_cost, count(*) AS sources
        FROM public.unmapped_spend u
       WHERE u._client_id = p_client AND u.date BETWEEN p_from AND p_to
       GROUP BY u.date
      HAVING sum(u.cost) > p_unmapped
    LOOP
      IF signalroom.raise_anomaly(
           'unmapped_spend', 'redtrack', '', r.day, 'cost', r.cost,
           p_unmapped,
           jsonb_build_object('sources', r.sources, 'top_source', r.top_name,
                              'top_cost', r.top_cost),
           false, 'Unmapped Redtrack spend',
           '$' || round(r.cost, 2) || ' of Redtrack spend on ' || r.day
           || ' (' || r.sources || ' sources) is no affiliate''s cost '
           || '(threshold $' || p_unmapped || '); the largest is '
           || r.top_name || ' ($' || round(r.top_cost, 2) || ')')
         IS NOT NULL THEN
        added := added + 1;
      END IF;
    END LOOP;
  END IF;
  RETURN added;
END $$;

-- What one order-export file just recorded in signalroom.s3_objects shows,
-- in its load's transaction: no data rows, a header that differs from the
-- previous file of the prefix, more than p_rate of its rows quarantined,
-- and the brands' order counts of its day out of their band.
CREATE FUNCTION signalroom.detect_file_anomalies(
    p_bucket text, p_key text, p_client text, p_today date, p_rate numeric,
    p_k numeric, p_min_change numeric, p_min_share numeric)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  o signalroom.s3_objects%ROWTYPE;
  prev signalroom.s3_objects%ROWTYPE;
  v_day date;
  v_added text[];
  v_removed text[];
  v_total bigint;
  r record;
  b record;
  added integer := 0;
BEGIN
  SELECT * INTO o FROM signalroom.s3_objects
   WHERE bucket = p_bucket AND key = p_key;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  v_day := coalesce(o.file_date, p_today);
  v_total := o.rows_loaded + o.rows_rejected;
  IF v_total = 0 THEN
    IF signalroom.raise_anomaly(
         'no_rows', 's3_exports', '', v_day, o.prefix, 0, NULL,
         jsonb_build_object('key', o.key), false,
         'Order export without rows',
         o.key || ' has a header and no rows') IS NOT NULL THEN
      added := added + 1;
    END IF;
  END IF;
  -- The previous file of the prefix: the latest one before this one.
  SELECT * INTO prev FROM signalroom.s3_objects s
   WHERE s.bucket = p_bucket AND s.prefix = o.prefix AND s.key <> o.key
     AND (s.file_date < o.file_date
          OR (s.file_date = o.file_date AND s.key < o.key)
          OR o.file_date IS NULL)
   ORDER BY s.file_date DESC NULLS LAST, s.key DESC
   LIMIT 1;
  IF FOUND THEN
    -- Columns are matched by name, so only names count, not order.
    SELECT coalesce(array_agg(c ORDER BY c), '{}') INTO v_added
      FROM unnest(o.columns) AS c WHERE c <> ALL (prev.columns);
    SELECT coalesce(array_agg(c ORDER BY c), '{}') INTO v_removed
      FROM unnest(prev.columns) AS c WHERE c <> ALL (o.columns);
    IF cardinality(v_added) + cardinality(v_removed) > 0
       AND signalroom.raise_anomaly(
         'header_change', 's3_exports', '', v_day, o.prefix,
         cardinality(v_added) + cardinality(v_removed), 0,
         jsonb_build_object('key', o.key, 'previous_key', prev.key,
                            'added', to_jsonb(v_added),
                            'removed', to_jsonb(v_removed)),
         false, 'Order export header changed',
         o.key || ' has columns ' || o.prefix || ' did not have in '
         || prev.key || ': added ['
         || array_to_string(v_added, ', ') || '], removed ['
         || array_to_string(v_removed, ', ') || ']') IS NOT NULL THEN
      added := added + 1;
    END IF;
  END IF;
  IF v_total > 0 AND o.rows_rejected::numeric / v_total > p_rate
     AND signalroom.raise_anomaly(
       'quarantine_burst', 's3_exports', '', v_day, o.prefix,
       round(o.rows_rejected::numeric / v_total, 4), p_rate,
       jsonb_build_object('key', o.key, 'rows', v_total,
                          'quarantined', o.rows_rejected),
       false, 'Quarantine burst in an order export',
       o.rows_rejected || ' of ' || v_total || ' rows of ' || o.key || ' ('
       || round(100.0 * o.rows_rejected / v_total, 1)
       || '%) were quarantined (threshold '
       || round(100 * p_rate, 1) || '%)') IS NOT NULL THEN
    added := added + 1;
  END IF;
  -- Orders per brand on the file's day, against the same weekdays.
  IF o.file_date IS NOT NULL AND o.file_date < p_today THEN
    FOR r IN
      SELECT br.code AS brand,
             (SELECT sum(x.orders) FROM reports.order_rollup x
               WHERE x.client_id = p_client
                 AND x.product_category = br.product_category
                 AND x.dim = 'total' AND x.day = o.file_date) AS value,
             (SELECT array_agg(h.n ORDER BY h.w)
                FROM (SELECT k.w, sum(x.orders) AS n
                        FROM generate_series(1, 4) AS k(w)
                        JOIN reports.order_rollup x
                          ON x.client_id = p_client
                         AND x.product_category = br.product_category
                         AND x.dim = 'total'
                         AND x.day = o.file_date - 7 * k.w
                       GROUP BY k.w) AS h) AS history
        FROM signalroom.brands br
       -- one order: two files of a day raise their rows in the same order
       ORDER BY br.code
    LOOP
      CONTINUE WHEN r.value IS NULL;
      SELECT * INTO b FROM signalroom.anomaly_band(r.value, r.history, p_k,
                                                   p_min_change, p_min_share);
      CONTINUE WHEN b.outside IS NOT TRUE;
      IF signalroom.raise_band_anomaly(
           's3_exports', r.brand, o.file_date, 'orders', r.value, r.history,
           b.median, b.half_width, jsonb_build_object('key', o.key))
         IS NOT NULL THEN
        added := added + 1;
      END IF;
    END LOOP;
  END IF;
  RETURN added;
END $$;

-- One anomaly as the API shows it.
CREATE FUNCTION signalroom.anomaly_json(a signalroom.anomalies)
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
           'id', a.id, 'kind', a.kind, 'source', a.source,
           'brand', nullif(a.brand, ''), 'day', a.day,
           'metric', nullif(a.metric, ''), 'observed', a.observed,
           'expected', a.expected, 'detail', a.detail, 'message', a.message,
           'critical', a.critical, 'status', a.status,
           'created_at', a.created_at, 'acknowledged_at', a.acknowledged_at,
           'acknowledged_by', a.acknowledged_by)
$$;

-- 0015: running totals per brand and affiliate, so a leaderboard over any
-- range reads two days of rows -- the totals at its last day minus those
-- the day before its first -- instead of every day of the range (measured
-- in tests/bench/bench_reports.sh).
--
-- reports.performance_running has, for every day from an affiliate's first
-- row in reports.performance_days to the client's last day there, the sums
-- of that affiliate's rows up to and including the day (a day without a
-- row carries the sums forward).  Sums of numeric columns subtract
-- exactly, so a range's figures are the ones its days add up to.
-- reports.refresh_performance, which every load, mapping change and
-- internal-affiliate change calls for the days it replaced, now also
-- recomputes the running totals from the first of those days on.

CREATE TABLE reports.performance_running (
  client_id       text    NOT NULL,
  advertiser_id   bigint  NOT NULL,
  date            date    NOT NULL,
  affiliate_label text    NOT NULL,
  days            bigint  NOT NULL,   -- days with a row, up to this one
  internal_days   bigint  NOT NULL,   -- of those, days it was internal
  conversions     bigint  NOT NULL,
  cost            numeric NOT NULL,
  revenue         numeric NOT NULL,
  payout          numeric NOT NULL,
  PRIMARY KEY (client_id, advertiser_id, date, affiliate_label)
);
COMMENT ON TABLE reports.performance_running IS
  'Per client, advertiser, affiliate and day: reports.performance_days summed up to that day (leaderboards subtract two days)';

-- Recompute the running totals of @p_client from @p_from on.
CREATE FUNCTION reports.refresh_running(p_client text, p_from date)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_first date;
  v_last date;
  v_have date;
  n bigint;
BEGIN
  SELECT min(date), max(date) INTO v_first, v_last
    FROM reports.performance_totals WHERE client_id = p_client;
  p_from := greatest(p_from, v_first);
  -- Totals end at the last day loaded before: days after it and before
  -- p_from (no rows at all) are filled in too.  One index probe per
  -- advertiser.
  SELECT max((SELECT max(r.date) FROM reports.performance_running r
               WHERE r.client_id = p_client
                 AND r.advertiser_id = a.advertiser_id
                 AND r.date < p_from))
    INTO v_have
    FROM (SELECT DISTINCT advertiser_id FROM reports.performance_totals
           WHERE client_id = p_client) AS a;
  IF v_have < p_from - 1 THEN
    p_from := v_have + 1;
  END IF;
  DELETE FROM reports.performance_running
   WHERE client_id = p_client AND (p_from IS NULL OR date >= p_from);
  IF v_last IS NULL OR p_from > v_last THEN
    RETURN 0;
  END IF;
  INSERT INTO reports.performance_running
         (client_id, advertiser_id, date, affiliate_label, days,
          internal_days, conversions, cost, revenue, payout)
  WITH base AS (
    -- the totals the day before: where the new ones start from
    SELECT advertiser_id, affiliate_label, days, internal_days, conversions,
           cost, revenue, payout
      FROM reports.performance_running
     WHERE client_id = p_client AND date = p_from - 1
  ), fresh AS (
    SELECT advertiser_id, affiliate_label, date, is_internal, conversions,
           cost, everflow_revenue AS revenue, everflow_payout AS payout
      FROM reports.performance_days
     WHERE client_id = p_client AND date >= p_from
  ), aff AS (
    SELECT advertiser_id, affiliate_label FROM base
    UNION
    SELECT advertiser_id, affiliate_label FROM fresh
  ), running AS (
    SELECT a.advertiser_id, d.day, a.affiliate_label,
           coalesce(b.days, 0) + count(f.date) OVER w AS days,
           coalesce(b.internal_days, 0)
             + count(f.date) FILTER (WHERE f.is_internal) OVER w
             AS internal_days,
           coalesce(b.conversions, 0)
             + coalesce(sum(f.conversions) OVER w, 0) AS conversions,
           coalesce(b.cost, 0) + coalesce(sum(f.cost) OVER w, 0) AS cost,
           coalesce(b.revenue, 0) + coalesce(sum(f.revenue) OVER w, 0)
             AS revenue,
           coalesce(b.payout, 0) + coalesce(sum(f.payout) OVER w, 0)
             AS payout
      FROM aff a
     CROSS JOIN generate_series(p_from, v_last, interval '1 day') AS g(d)
     CROSS JOIN LATERAL (SELECT g.d::date AS day) AS d
      LEFT JOIN fresh f ON f.advertiser_id = a.advertiser_id
                       AND f.affiliate_label = a.affiliate_label
                       AND f.date = d.day
      LEFT JOIN base b ON b.advertiser_id = a.advertiser_id
                      AND b.affiliate_label = a.affiliate_label
    WINDOW w AS (PARTITION BY a.advertiser_id, a.affiliate_label
                 ORDER BY d.day)
  )
  SELECT p_client, advertiser_id, day, affiliate_label, days, internal_days,
         conversions, cost, revenue, payout
    FROM running
   WHERE days > 0
   ORDER BY advertiser_id, day, affiliate_label;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- The days themselves as before, then the running totals from the first
-- day replaced on, in the same transaction.
ALTER FUNCTION reports.refresh_performance(text, date, date)
  RENAME TO refresh_performance_days;
CREATE FUNCTION reports.refresh_performance(p_client text, p_from date,
                                            p_to date)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  n := reports.refresh_performance_days(p_client, p_from, p_to);
  PERFORM reports.refresh_running(p_client, p_from);
  RETURN n;
END $$;

SELECT reports.refresh_running(c.client_id, '-infinity')
  FROM (SELECT DISTINCT client_id FROM reports.performance_totals) AS c;

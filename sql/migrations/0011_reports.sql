-- Reports: brands as data, rollups kept by every load in its own
-- transaction, data versions for caching, and the `reports` schema that
-- Metabase and SQL users read (the endpoints read the same tables).
--
-- No report scans raw rows.  Everflow and Redtrack figures are kept per
-- day in reports.performance_days (the daily_performance rows, refreshed
-- for the days a load replaced); orders are kept once each in their
-- latest state (reports.orders_latest) and counted per day along one
-- dimension at a time (reports.order_rollup), adjusted by each file's load
-- by the difference it made.

CREATE SCHEMA IF NOT EXISTS reports;

-- A brand is one Everflow advertiser and one order-export product
-- category.  Adding a row adds a brand to every report.
CREATE TABLE signalroom.brands (
  code             text   PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{0,15}$'),
  name             text   NOT NULL CHECK (name <> ''),
  advertiser_id    bigint NOT NULL UNIQUE,
  product_category text   NOT NULL UNIQUE
);
INSERT INTO signalroom.brands (code, name, advertiser_id, product_category)
VALUES ('CCW', 'Concealed carry', 1, 'CCW'),
       ('EXP', 'Expungement', 2, 'EXP');

-- The 50 states and DC: the rows of a state heat map.
CREATE TABLE signalroom.us_states (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
  name text NOT NULL
);
INSERT INTO signalroom.us_states (code, name) VALUES
 ('AL','Alabama'),('AK','Alaska'),('AZ','Arizona'),('AR','Arkansas'),
 ('CA','California'),('CO','Colorado'),('CT','Connecticut'),
 ('DE','Delaware'),('DC','District of Columbia'),('FL','Florida'),
 ('GA','Georgia'),('HI','Hawaii'),('ID','Idaho'),('IL','Illinois'),
 ('IN','Indiana'),('IA','Iowa'),('KS','Kansas'),('KY','Kentucky'),
 ('LA','Louisiana'),('ME','Maine'),('MD','Maryland'),
 ('MA','Massachusetts'),('MI','Michigan'),('MN','Minnesota'),
 ('MS','Mississippi'),('MO','Missouri'),('MT','Montana'),
 ('NE','Nebraska'),('NV','Nevada'),('NH','New Hampshire'),
 ('NJ','New Jersey'),('NM','New Mexico'),('NY','New York'),
 ('NC','North Carolina'),('ND','North Dakota'),('OH','Ohio'),
 ('OK','Oklahoma'),('OR','Oregon'),('PA','Pennsylvania'),
 ('RI','Rhode Island'),('SC','South Carolina'),('SD','South Dakota'),
 ('TN','Tennessee'),('TX','Texas'),('UT','Utah'),('VT','Vermont'),
 ('VA','Virginia'),('WA','Washington'),('WV','West Virginia'),
 ('WI','Wisconsin'),('WY','Wyoming');

-- One counter per family of report tables; a load that changes a family
-- bumps it in its own transaction and announces it at commit, so cached
-- reports of that family are dropped on every instance.
CREATE TABLE signalroom.data_versions (
  area       text        PRIMARY KEY CHECK (area IN ('performance', 'orders')),
  version    bigint      NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO signalroom.data_versions (area, version)
VALUES ('performance', 1), ('orders', 1);

CREATE FUNCTION signalroom.bump_data_version(p_area text) RETURNS bigint
LANGUAGE sql AS $$
  SELECT pg_notify('signalroom_data', p_area);
  UPDATE signalroom.data_versions
     SET version = version + 1, changed_at = now()
   WHERE area = p_area
  RETURNING version;
$$;

-- ---------------------------------------------------------------------
-- Everflow and Redtrack: daily_performance between two days, the one
-- definition of cost and CPA.  A SQL function of one SELECT is inlined
-- by the planner, so the day bounds reach the base tables' indexes.
-- ---------------------------------------------------------------------
CREATE FUNCTION signalroom.daily_performance_between(p_from date, p_to date)
RETURNS TABLE (date date, advertiser_id bigint, advertiser_label text,
               affiliate_label text, conversions bigint,
               everflow_payout numeric, everflow_revenue numeric,
               redtrack_cost numeric, redtrack_clicks bigint,
               is_internal boolean, cost numeric, cpa numeric,
               _client_id text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH ef AS (
  SELECT s._client_id AS client_id, s.date, s.advertiser_id,
         max(s.advertiser_label) AS advertiser_label,
         btrim(s.affiliate_label) AS affiliate_label,
         sum(s.conversions)::bigint AS conversions,
         sum(s.payout) AS payout, sum(s.revenue) AS revenue
    FROM everflow.daily_stats s
   WHERE s.date BETWEEN p_from AND p_to
   GROUP BY s._client_id, s.date, s.advertiser_id, btrim(s.affiliate_label)
), rt AS (
  SELECT d._client_id AS client_id, d.date,
         m.everflow_advertiser_id AS advertiser_id,
         max(m.everflow_advertiser_label) AS advertiser_label,
         btrim(m.everflow_affiliate_label) AS affiliate_label,
         sum(d.cost) AS cost, sum(d.clicks)::bigint AS clicks
    FROM redtrack.daily_spend d
    JOIN signalroom.affiliate_mapping m
      ON m.client_id = d._client_id AND m.redtrack_source_id = d.source_id
   WHERE d.date BETWEEN p_from AND p_to
     AND btrim(coalesce(m.everflow_affiliate_label, '')) <> ''
     AND m.everflow_advertiser_id IS NOT NULL
   GROUP BY d._client_id, d.date, m.everflow_advertiser_id,
            btrim(m.everflow_affiliate_label)
), joined AS (
  SELECT coalesce(ef.client_id, rt.client_id) AS client_id,
         coalesce(ef.date, rt.date) AS date,
         coalesce(ef.advertiser_id, rt.advertiser_id) AS advertiser_id,
         coalesce(ef.advertiser_label, rt.advertiser_label) AS advertiser_label,
         coalesce(ef.affiliate_label, rt.affiliate_label) AS affiliate_label,
         coalesce(ef.conversions, 0) AS conversions,
         coalesce(ef.payout, 0) AS everflow_payout,
         coalesce(ef.revenue, 0) AS everflow_revenue,
         coalesce(rt.cost, 0) AS redtrack_cost,
         coalesce(rt.clicks, 0) AS redtrack_clicks
    FROM ef
    FULL JOIN rt
      ON rt.client_id = ef.client_id AND rt.date = ef.date
     AND rt.advertiser_id = ef.advertiser_id
     AND rt.affiliate_label = ef.affiliate_label
), costed AS (
  SELECT j.*, ia.label IS NOT NULL AS is_internal,
         CASE WHEN ia.label IS NOT NULL THEN j.redtrack_cost
              ELSE j.everflow_payout END AS cost
    FROM joined j
    LEFT JOIN signalroom.internal_affiliates ia
      ON ia.client_id = j.client_id AND ia.label = j.affiliate_label
)
SELECT date, advertiser_id, advertiser_label, affiliate_label, conversions,
       everflow_payout, everflow_revenue, redtrack_cost, redtrack_clicks,
       is_internal, cost,
       CASE WHEN conversions > 0 THEN round(cost / conversions, 2)
            ELSE 0 END AS cpa,
       client_id AS _client_id
  FROM costed
$$;

CREATE OR REPLACE VIEW public.daily_performance AS
SELECT * FROM signalroom.daily_performance_between('-infinity', 'infinity');

-- The same rows, kept: what every performance report reads.
CREATE TABLE reports.performance_days (
  client_id        text    NOT NULL,
  date             date    NOT NULL,
  advertiser_id    bigint  NOT NULL,
  affiliate_label  text    NOT NULL,
  advertiser_label text,
  conversions      bigint  NOT NULL,
  everflow_payout  numeric NOT NULL,
  everflow_revenue numeric NOT NULL,
  redtrack_cost    numeric NOT NULL,
  redtrack_clicks  bigint  NOT NULL,
  is_internal      boolean NOT NULL,
  cost             numeric NOT NULL,
  PRIMARY KEY (client_id, advertiser_id, date, affiliate_label)
);

-- Per day, advertiser and side (internal or not): the sums a daily
-- summary shows, so it reads a handful of rows, not every affiliate's.
CREATE TABLE reports.performance_totals (
  client_id     text    NOT NULL,
  advertiser_id bigint  NOT NULL,
  date          date    NOT NULL,
  is_internal   boolean NOT NULL,
  conversions   bigint  NOT NULL,
  cost          numeric NOT NULL,
  revenue       numeric NOT NULL,
  payout        numeric NOT NULL,
  PRIMARY KEY (client_id, advertiser_id, date, is_internal)
);

-- Recompute the kept rows of [p_from, p_to] for one client (called by
-- every Everflow/Redtrack load and mapping change, in its transaction).
CREATE FUNCTION reports.refresh_performance(p_client text, p_from date,
                                            p_to date)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  -- One refresher at a time: two loads refreshing overlapping days must
  -- not each delete what the other is about to insert.
  PERFORM pg_advisory_xact_lock(hashtext('signalroom.reports:performance'));
  DELETE FROM reports.performance_days
   WHERE client_id = p_client AND date BETWEEN p_from AND p_to;
  INSERT INTO reports.performance_days
         (client_id, date, advertiser_id, affiliate_label, advertiser_label,
          conversions, everflow_payout, everflow_revenue, redtrack_cost,
          redtrack_clicks, is_internal, cost)
  SELECT p._client_id, p.date, p.advertiser_id, p.affiliate_label,
         p.advertiser_label, p.conversions, p.everflow_payout,
         p.everflow_revenue, p.redtrack_cost, p.redtrack_clicks,
         p.is_internal, p.cost
    FROM signalroom.daily_performance_between(p_from, p_to) p
   WHERE p._client_id = p_client
   -- one day of one brand in neighbouring pages: a summary reads few
   ORDER BY p.advertiser_id, p.date;
  GET DIAGNOSTICS n = ROW_COUNT;
  DELETE FROM reports.performance_totals
   WHERE client_id = p_client AND date BETWEEN p_from AND p_to;
  INSERT INTO reports.performance_totals
         (client_id, advertiser_id, date, is_internal, conversions, cost,
          revenue, payout)
  SELECT client_id, advertiser_id, date, is_internal, sum(conversions),
         sum(cost), sum(everflow_revenue), sum(everflow_payout)
    FROM reports.performance_days
   WHERE client_id = p_client AND date BETWEEN p_from AND p_to
   GROUP BY client_id, advertiser_id, date, is_internal;
  PERFORM signalroom.bump_data_version('performance');
  RETURN n;
END $$;

-- ---------------------------------------------------------------------
-- Orders: each order once, in its latest state, and daily counts.
-- ---------------------------------------------------------------------

-- Each order once, in its latest state (signalroom.order_export_rows
-- describes the columns).
CREATE TABLE reports.orders_latest (
  order_id         bigint  PRIMARY KEY,
  client_id        text    NOT NULL,
  product_category text    NOT NULL,
  day              date,
  status           text    NOT NULL,
  total            numeric,
  state            text,
  customer         text,
  campaign         text    NOT NULL,
  affiliate        text    NOT NULL,
  gateway          text    NOT NULL,
  chargeback       boolean NOT NULL,
  refunded         boolean NOT NULL,
  -- where the row came from, and its rank (orders_current's order)
  src_file_date    date,
  src_rank         smallint NOT NULL,
  src_file         text    NOT NULL,
  src_row          bigint  NOT NULL
);
CREATE INDEX orders_latest_file ON reports.orders_latest (src_file);
-- No index for the customer count: distinct customers cannot be summed
-- from daily rows, so metric=customers reads the range's orders here, and
-- an index would cost every load more than it saves that one metric.

-- Counts per day along one dimension at a time (dim: total, state,
-- campaign, affiliate, gateway, tier), per status.  revenue sums the
-- totals of the orders counted (unparseable totals count as 0).
CREATE TABLE reports.order_rollup (
  client_id        text    NOT NULL,
  product_category text    NOT NULL,
  dim              text    NOT NULL,
  day              date    NOT NULL,
  value            text    NOT NULL,
  status           text    NOT NULL,
  orders           bigint  NOT NULL,
  revenue          numeric NOT NULL,
  chargebacks      bigint  NOT NULL,
  refunds          bigint  NOT NULL,
  PRIMARY KEY (client_id, product_category, dim, day, value, status)
);
CREATE INDEX order_rollup_empty ON reports.order_rollup (dim)
  WHERE orders = 0;

CREATE FUNCTION reports.price_tier(p_total numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_total IS NULL THEN 'unknown'
              WHEN p_total < 25 THEN '$0-24'
              WHEN p_total < 50 THEN '$25-49'
              WHEN p_total < 100 THEN '$50-99'
              ELSE '$100+' END
$$;

-- Every order-export row in the form the reports use: status in
-- capitals, the state as two capital letters (any case, spaces trimmed;
-- whether it is a US state is the reports' question), the customer by
-- e-mail in lower case, 'direct' for no campaign or affiliate, 'unknown'
-- for no gateway.  The day is the order's own date (the export's local
-- time), else the file's date.  src_rank orders rows like orders_current.
CREATE VIEW signalroom.order_export_rows AS
SELECT signalroom.to_int(e.orders_id) AS order_id, e._client_id AS client_id,
       coalesce(e.product_category, '') AS product_category,
       coalesce(signalroom.to_order_time(e.order_date, e.order_time)::date,
                e._file_date) AS day,
       upper(btrim(coalesce(e.order_status, ''))) AS status,
       signalroom.to_money(e.total_amount) AS total,
       CASE WHEN upper(btrim(e.billing_state)) ~ '^[A-Z]{2}$'
            THEN upper(btrim(e.billing_state)) END AS state,
       nullif(lower(btrim(e.billing_email)), '') AS customer,
       coalesce(nullif(btrim(e.campaign_id), ''), 'direct') AS campaign,
       coalesce(nullif(btrim(e.affid), ''), 'direct') AS affiliate,
       coalesce(nullif(btrim(e.gateway_alias), ''), 'unknown') AS gateway,
       coalesce(signalroom.to_flag(e.chargeback_flag), false) AS chargeback,
       coalesce(signalroom.to_flag(e.refund_flag), false) AS refunded,
       e._file_date AS src_file_date, e.src_rank, e._file_name AS src_file,
       e._row_id AS src_row
  FROM (SELECT c.*, 1::smallint AS src_rank FROM s3_exports.orders_create c
        UNION ALL
        SELECT u.*, 2::smallint FROM s3_exports.orders_update u) AS e;

-- The dimensions an order is counted along, one row each (the rollup's
-- dim and value).  One SQL SELECT: the planner inlines it.
CREATE FUNCTION reports.order_dims(p_state text, p_campaign text,
                                   p_affiliate text, p_gateway text,
                                   p_tier text)
RETURNS TABLE (dim text, value text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT * FROM (VALUES ('total', ''), ('state', coalesce(p_state, '')),
                        ('campaign', p_campaign),
                        ('affiliate', p_affiliate), ('gateway', p_gateway),
                        ('tier', p_tier)) AS v(dim, value)
$$;

-- After a file's rows were (re)loaded into s3_exports.orders_create or
-- orders_update: bring orders_latest and order_rollup up to date, in the
-- caller's transaction.  Only the file's orders are touched: those whose
-- latest row came from the file's earlier version, and those the file's
-- rows now outrank.  Returns how many orders changed.
CREATE FUNCTION reports.orders_file_loaded(p_table text, p_file text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_rank smallint;
  n bigint;
BEGIN
  IF p_table = 'orders_create' THEN v_rank := 1;
  ELSIF p_table = 'orders_update' THEN v_rank := 2;
  ELSE RETURN 0;
  END IF;
  -- Files load in parallel up to here; the bookkeeping is one at a time
  -- (an order in two files, a count row of two files' orders).
  PERFORM pg_advisory_xact_lock(hashtext('signalroom.reports:orders'));

  -- Scratch tables live as long as the session and are emptied at
  -- commit; behind a transaction pooler each transaction makes sure.
  IF to_regclass('pg_temp.reports_old') IS NULL THEN
    CREATE TEMP TABLE reports_old (LIKE reports.orders_latest)
      ON COMMIT DELETE ROWS;
  END IF;
  IF to_regclass('pg_temp.reports_new') IS NULL THEN
    CREATE TEMP TABLE reports_new (LIKE reports.orders_latest)
      ON COMMIT DELETE ROWS;
  END IF;
  TRUNCATE reports_old, reports_new;

  -- The file's rows, the last one of each order.
  INSERT INTO reports_new
  SELECT DISTINCT ON (r.order_id) r.*
    FROM signalroom.order_export_rows r
   WHERE r.src_file = p_file AND r.src_rank = v_rank
     AND r.order_id IS NOT NULL
   ORDER BY r.order_id, r.src_row DESC;

  -- What the file's earlier version contributed goes, whatever it was.
  WITH gone AS (
    DELETE FROM reports.orders_latest l WHERE l.src_file = p_file RETURNING l.*
  ) INSERT INTO reports_old SELECT * FROM gone;

  -- Rows the file outranks go too.
  WITH gone AS (
    DELETE FROM reports.orders_latest l
     USING reports_new n
     WHERE l.order_id = n.order_id
       AND (coalesce(n.src_file_date, '-infinity'), n.src_rank, n.src_file,
            n.src_row)
           > (coalesce(l.src_file_date, '-infinity'), l.src_rank, l.src_file,
              l.src_row)
    RETURNING l.*
  ) INSERT INTO reports_old SELECT * FROM gone;

  -- The file's rows where nothing outranks them now.
  INSERT INTO reports.orders_latest
  SELECT n.* FROM reports_new n
   WHERE NOT EXISTS (SELECT 1 FROM reports.orders_latest l
                      WHERE l.order_id = n.order_id);

  -- Orders the new version no longer has fall back to their other rows
  -- (rare: a re-export that dropped orders).  orders_current ranks them.
  IF EXISTS (SELECT 1 FROM reports_old o
              WHERE NOT EXISTS (SELECT 1 FROM reports.orders_latest l
                                 WHERE l.order_id = o.order_id)) THEN
    INSERT INTO reports.orders_latest
    SELECT DISTINCT ON (r.order_id) r.*
      FROM signalroom.order_export_rows r
     WHERE r.order_id IN (SELECT o.order_id FROM reports_old o
                           WHERE NOT EXISTS (SELECT 1 FROM reports.orders_latest l
                                              WHERE l.order_id = o.order_id))
     ORDER BY r.order_id, r.src_file_date DESC NULLS LAST, r.src_rank DESC,
              r.src_file DESC, r.src_row DESC;
  END IF;

  -- The difference, counted: minus every old row, plus every row now
  -- latest for the same orders.  Unchanged orders cancel out.
  WITH touched AS (
    SELECT order_id FROM reports_old UNION SELECT order_id FROM reports_new
  ), delta AS (
    -- Money in cents as integers from here on: summing numerics six
    -- times per order was the most expensive step of a load.
    SELECT o.client_id, o.product_category, o.day, o.status, o.state,
           o.campaign, o.affiliate, o.gateway, o.chargeback, o.refunded,
           reports.price_tier(o.total) AS tier, -1 AS sign,
           -coalesce((o.total * 100)::bigint, 0) AS cents
      FROM reports_old o
    UNION ALL
    SELECT l.client_id, l.product_category, l.day, l.status, l.state,
           l.campaign, l.affiliate, l.gateway, l.chargeback, l.refunded,
           reports.price_tier(l.total), 1,
           coalesce((l.total * 100)::bigint, 0)
      FROM reports.orders_latest l
     WHERE l.order_id IN (SELECT order_id FROM touched)
  ), dims AS (
    SELECT d.client_id, d.product_category, v.dim, d.day, v.value, d.status,
           d.sign, d.cents, d.chargeback, d.refunded
      FROM delta d
     CROSS JOIN LATERAL reports.order_dims(d.state, d.campaign, d.affiliate,
                                           d.gateway, d.tier) AS v
     WHERE d.day IS NOT NULL
  ), counted AS (
    SELECT client_id, product_category, dim, day, value, status,
           sum(sign) AS orders, round(sum(cents) / 100.0, 2) AS revenue,
           sum(sign) FILTER (WHERE chargeback) AS chargebacks,
           sum(sign) FILTER (WHERE refunded) AS refunds
      FROM dims
     GROUP BY client_id, product_category, dim, day, value, status
  )
  INSERT INTO reports.order_rollup AS r
         (client_id, product_category, dim, day, value, status, orders,
          revenue, chargebacks, refunds)
  SELECT client_id, product_category, dim, day, value, status, orders,
         revenue, coalesce(chargebacks, 0), coalesce(refunds, 0)
    FROM counted
   WHERE orders <> 0 OR revenue <> 0 OR coalesce(chargebacks, 0) <> 0
      OR coalesce(refunds, 0) <> 0
   ORDER BY client_id, product_category, dim, day, value, status
  ON CONFLICT (client_id, product_category, dim, day, value, status)
  DO UPDATE SET orders = r.orders + EXCLUDED.orders,
                revenue = r.revenue + EXCLUDED.revenue,
                chargebacks = r.chargebacks + EXCLUDED.chargebacks,
                refunds = r.refunds + EXCLUDED.refunds;
  DELETE FROM reports.order_rollup WHERE orders = 0;

  SELECT count(*) INTO n FROM (
    SELECT order_id FROM reports_old UNION SELECT order_id FROM reports_new
  ) AS t;
  PERFORM signalroom.bump_data_version('orders');
  RETURN n;
END $$;

-- Every order of one client counted again from the export tables, in
-- one pass: for a first backfill, after restoring the export tables, or
-- to check the kept counts.  Returns the orders kept.
CREATE FUNCTION reports.rebuild_orders(p_client text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('signalroom.reports:orders'));
  DELETE FROM reports.order_rollup WHERE client_id = p_client;
  DELETE FROM reports.orders_latest WHERE client_id = p_client;
  INSERT INTO reports.orders_latest
  SELECT DISTINCT ON (r.order_id) r.*
    FROM signalroom.order_export_rows r
   WHERE r.client_id = p_client AND r.order_id IS NOT NULL
   ORDER BY r.order_id, r.src_file_date DESC NULLS LAST, r.src_rank DESC,
            r.src_file DESC, r.src_row DESC;
  GET DIAGNOSTICS n = ROW_COUNT;
  INSERT INTO reports.order_rollup
         (client_id, product_category, dim, day, value, status, orders,
          revenue, chargebacks, refunds)
  SELECT l.client_id, l.product_category, v.dim, l.day, v.value, l.status,
         count(*),
         round(sum(coalesce((l.total * 100)::bigint, 0)) / 100.0, 2),
         count(*) FILTER (WHERE l.chargeback),
         count(*) FILTER (WHERE l.refunded)
    FROM reports.orders_latest l
   CROSS JOIN LATERAL reports.order_dims(l.state, l.campaign, l.affiliate,
                                         l.gateway,
                                         reports.price_tier(l.total)) AS v
   WHERE l.client_id = p_client AND l.day IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5, 6;
  PERFORM signalroom.bump_data_version('orders');
  RETURN n;
END $$;

-- ---------------------------------------------------------------------
-- The reports schema: one view per report, for Metabase and SQL users.
-- The endpoints run their SQL (sql/queries/report_*.sql) over these same
-- views, so a figure is the same wherever it is read.  Money is rounded
-- to cents when shown, rates are percentages with one decimal.
-- "Approved" is any order not DECLINED; revenue is the total of orders
-- whose latest status is NEW (refunded and voided money is not revenue).
-- ---------------------------------------------------------------------

CREATE VIEW reports.affiliate_days AS
SELECT p.date, b.code AS brand, p.advertiser_id, p.affiliate_label,
       p.is_internal, p.conversions, p.cost, p.everflow_revenue AS revenue,
       p.everflow_payout AS payout, p.everflow_revenue - p.cost AS profit,
       p.redtrack_cost, p.redtrack_clicks, p.client_id
  FROM reports.performance_days p
  JOIN signalroom.brands b ON b.advertiser_id = p.advertiser_id;
COMMENT ON VIEW reports.affiliate_days IS
  'Per day, brand and affiliate: conversions, true cost, revenue, payout and profit (revenue - cost)';

CREATE VIEW reports.daily_summary AS
SELECT a.date, a.brand, a.client_id,
       sum(a.conversions)::bigint AS conversions,
       round(sum(a.cost), 2) AS cost,
       CASE WHEN sum(a.conversions) > 0
            THEN round(sum(a.cost) / sum(a.conversions), 2) ELSE 0 END AS cpa,
       round(sum(a.revenue), 2) AS revenue, round(sum(a.payout), 2) AS payout,
       round(sum(a.profit), 2) AS profit,
       coalesce(sum(a.conversions) FILTER (WHERE a.is_internal), 0)::bigint
         AS internal_conversions,
       round(coalesce(sum(a.cost) FILTER (WHERE a.is_internal), 0), 2)
         AS internal_cost,
       coalesce(sum(a.conversions) FILTER (WHERE NOT a.is_internal), 0)::bigint
         AS external_conversions,
       round(coalesce(sum(a.cost) FILTER (WHERE NOT a.is_internal), 0), 2)
         AS external_cost
  FROM reports.affiliate_days a
 GROUP BY a.date, a.brand, a.client_id;
COMMENT ON VIEW reports.daily_summary IS
  'Per day and brand: totals and the internal/external split of conversions and cost';

CREATE VIEW reports.leaderboard AS
SELECT a.date, a.brand, a.affiliate_label, a.is_internal, a.conversions,
       round(a.cost, 2) AS cost,
       CASE WHEN a.conversions > 0 THEN round(a.cost / a.conversions, 2)
            ELSE 0 END AS cpa,
       round(a.revenue, 2) AS revenue, round(a.profit, 2) AS profit,
       a.client_id
  FROM reports.affiliate_days a;
COMMENT ON VIEW reports.leaderboard IS
  'Per day, brand and affiliate: the rows a leaderboard sums over a range';

CREATE VIEW reports.daily_performance AS
SELECT a.date, a.brand, a.advertiser_id, a.affiliate_label, a.is_internal,
       a.conversions, round(a.cost, 2) AS cost,
       CASE WHEN a.conversions > 0 THEN round(a.cost / a.conversions, 2)
            ELSE 0 END AS cpa,
       round(a.payout, 2) AS everflow_payout,
       round(a.revenue, 2) AS everflow_revenue,
       round(a.redtrack_cost, 2) AS redtrack_cost, a.redtrack_clicks,
       a.client_id
  FROM reports.affiliate_days a;
COMMENT ON VIEW reports.daily_performance IS
  'public.daily_performance with the brand code, as kept by the loads';

CREATE VIEW reports.unmapped_spend AS
SELECT u.date, u.source_id, u.source_name, round(u.cost, 2) AS cost,
       u.reason, u._client_id AS client_id
  FROM public.unmapped_spend u;
COMMENT ON VIEW reports.unmapped_spend IS
  'Redtrack spend no internal affiliate''s cost includes, and why';

-- The order rollup with brand codes and the approved/declined split.
CREATE VIEW reports.order_days AS
SELECT r.day, b.code AS brand, r.dim, r.value, r.status, r.orders,
       r.revenue, r.chargebacks, r.refunds, r.client_id
  FROM reports.order_rollup r
  JOIN signalroom.brands b ON b.product_category = r.product_category;
COMMENT ON VIEW reports.order_days IS
  'Orders in their latest state per day, brand and status, counted along one dimension (dim: total, state, campaign, affiliate, gateway, tier)';

CREATE VIEW reports.state_heatmap AS
SELECT o.day, o.brand, o.value AS state, s.name AS state_name,
       sum(o.orders)::bigint AS orders,
       coalesce(sum(o.orders) FILTER (WHERE o.status <> 'DECLINED'), 0)::bigint
         AS approved,
       coalesce(sum(o.orders) FILTER (WHERE o.status = 'DECLINED'), 0)::bigint
         AS declined,
       round(coalesce(sum(o.revenue) FILTER (WHERE o.status = 'NEW'), 0), 2)
         AS revenue,
       o.client_id
  FROM reports.order_days o
  JOIN signalroom.us_states s ON s.code = o.value
 WHERE o.dim = 'state'
 GROUP BY o.day, o.brand, o.value, s.name, o.client_id;
COMMENT ON VIEW reports.state_heatmap IS
  'Per day, brand and US state (billing state, latest order state): orders, approved, declined, revenue';

-- The twelve order analytics, per day (ranges sum the days).
CREATE VIEW reports.orders_by_dimension AS
SELECT o.day, o.brand, o.dim, o.value,
       sum(o.orders)::bigint AS orders,
       coalesce(sum(o.orders) FILTER (WHERE o.status <> 'DECLINED'), 0)::bigint
         AS approved,
       coalesce(sum(o.orders) FILTER (WHERE o.status = 'DECLINED'), 0)::bigint
         AS declined,
       coalesce(sum(o.orders) FILTER (WHERE o.status = 'NEW'), 0)::bigint AS new_orders,
       round(coalesce(sum(o.revenue) FILTER (WHERE o.status = 'NEW'), 0), 2)
         AS revenue,
       sum(o.chargebacks)::bigint AS chargebacks,
       sum(o.refunds)::bigint AS refunds,
       o.client_id
  FROM reports.order_days o
 GROUP BY o.day, o.brand, o.dim, o.value, o.client_id;
COMMENT ON VIEW reports.orders_by_dimension IS
  'Per day, brand and value of one dimension: orders, approved (not DECLINED), declined, NEW orders, their revenue, chargebacks and refunds';

CREATE VIEW reports.orders_status_days AS
SELECT o.day, o.brand, o.status, o.orders, round(o.revenue, 2) AS revenue,
       o.client_id
  FROM reports.order_days o
 WHERE o.dim = 'total';
COMMENT ON VIEW reports.orders_status_days IS
  'Per day, brand and latest order status: orders and their totals';

-- Read-only access for dashboards (Metabase): the reports schema only.
-- Creating a role needs CREATEROLE; where the migrating user lacks it the
-- role is left for an administrator (the README shows the statements).
DO $$
DECLARE
  v record;
BEGIN
  -- A role belongs to the whole server: databases of one server migrating
  -- at once (tests, staging beside production) may both try to create it.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'signalroom_reader') THEN
    BEGIN
      CREATE ROLE signalroom_reader NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;   -- created by the other one meanwhile
    END;
  END IF;
  GRANT USAGE ON SCHEMA reports TO signalroom_reader;
  -- The views only: the tables behind them hold customers' e-mails.
  FOR v IN SELECT c.oid::regclass AS name FROM pg_class c
            WHERE c.relnamespace = 'reports'::regnamespace AND c.relkind = 'v'
  LOOP
    EXECUTE format('GRANT SELECT ON %s TO signalroom_reader', v.name);
  END LOOP;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'signalroom_reader not created: %', SQLERRM;
END $$;

-- The S3 loader keeps the order reports itself.
--
-- While a file streams through the CSV parser, the loader picks out the
-- fields the reports use, keeps each order's last row, compares those with
-- the orders already kept (reports.orders_latest) and sends the database
-- only what changed: the rows that now lead, the ids they replace, and the
-- counts per day and dimension summed in C (reports.orders_delta_apply).
-- signalroom.order_export_rows stays the definition: objects too large to
-- keep in memory, rebuild_orders and the tests that hold the loader to it
-- all use the view.  For C to match it on every database, three rules
-- change here:
--  * case folding is ASCII-only: upper() and lower() follow the database's
--    locale, so one export could count differently on two servers;
--  * a total with more than 15 integer digits is no amount (its cents do
--    not fit the bigint the counts use; such a row used to fail the load);
--  * two files of one day and kind rank by name in byte order (COLLATE
--    "C"), not by the database's collation.
-- The counts are made again from scratch at the end: 0011's
-- orders_file_loaded counted unchanged orders again when a file's rows
-- were outranked by a newer file's (see below), and the rules above
-- differ from 0011's for non-ASCII letters, absurd totals and same-day
-- file-name ties.

CREATE FUNCTION signalroom.ascii_upper(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(v, 'abcdefghijklmnopqrstuvwxyz',
                   'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
$$;

CREATE FUNCTION signalroom.ascii_lower(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(v, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                   'abcdefghijklmnopqrstuvwxyz')
$$;

CREATE OR REPLACE FUNCTION signalroom.to_flag(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE signalroom.ascii_upper(btrim(v))
           WHEN 'YES' THEN true WHEN 'Y' THEN true WHEN '1' THEN true
           WHEN 'TRUE' THEN true
           WHEN 'NO' THEN false WHEN 'N' THEN false WHEN '0' THEN false
           WHEN 'FALSE' THEN false
         END
$$;

-- An order's total: a plain decimal of at most 15 integer digits.
CREATE FUNCTION reports.order_total(v text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN btrim(v) ~ '^-?0*[0-9]{1,15}(\.[0-9]+)?$'
              THEN btrim(v)::numeric END
$$;

CREATE OR REPLACE VIEW signalroom.order_export_rows AS
SELECT signalroom.to_int(e.orders_id) AS order_id, e._client_id AS client_id,
       coalesce(e.product_category, '') AS product_category,
       coalesce(signalroom.to_order_time(e.order_date, e.order_time)::date,
                e._file_date) AS day,
       signalroom.ascii_upper(btrim(coalesce(e.order_status, ''))) AS status,
       reports.order_total(e.total_amount) AS total,
       CASE WHEN signalroom.ascii_upper(btrim(e.billing_state)) ~ '^[A-Z]{2}$'
            THEN signalroom.ascii_upper(btrim(e.billing_state)) END AS state,
       nullif(signalroom.ascii_lower(btrim(e.billing_email)), '') AS customer,
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

-- The SQL path, for objects the loader does not keep in memory: 0011's,
-- with file names compared in byte order.
CREATE OR REPLACE FUNCTION reports.orders_file_loaded(p_table text,
                                                      p_file text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_rank smallint;
  n bigint;
BEGIN
  IF p_table = 'orders_create' THEN v_rank := 1;
  ELSIF p_table = 'orders_update' THEN v_rank := 2;
  ELSE RETURN 0;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('signalroom.reports:orders'));
  IF to_regclass('pg_temp.reports_old') IS NULL THEN
    CREATE TEMP TABLE reports_old (LIKE reports.orders_latest)
      ON COMMIT DELETE ROWS;
  END IF;
  IF to_regclass('pg_temp.reports_new') IS NULL THEN
    CREATE TEMP TABLE reports_new (LIKE reports.orders_latest)
      ON COMMIT DELETE ROWS;
  END IF;
  TRUNCATE reports_old, reports_new;

  INSERT INTO reports_new
  SELECT DISTINCT ON (r.order_id) r.*
    FROM signalroom.order_export_rows r
   WHERE r.src_file = p_file AND r.src_rank = v_rank
     AND r.order_id IS NOT NULL
   ORDER BY r.order_id, r.src_row DESC;

  WITH gone AS (
    DELETE FROM reports.orders_latest l WHERE l.src_file = p_file RETURNING l.*
  ) INSERT INTO reports_old SELECT * FROM gone;

  WITH gone AS (
    DELETE FROM reports.orders_latest l
     USING reports_new n
     WHERE l.order_id = n.order_id
       AND (coalesce(n.src_file_date, '-infinity'), n.src_rank,
            n.src_file COLLATE "C", n.src_row)
           > (coalesce(l.src_file_date, '-infinity'), l.src_rank,
              l.src_file COLLATE "C", l.src_row)
    RETURNING l.*
  ) INSERT INTO reports_old SELECT * FROM gone;

  INSERT INTO reports.orders_latest
  SELECT n.* FROM reports_new n
   WHERE NOT EXISTS (SELECT 1 FROM reports.orders_latest l
                      WHERE l.order_id = n.order_id);

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
              r.src_file COLLATE "C" DESC, r.src_row DESC;
  END IF;

  -- Plus every row now latest for an order that lost its row here, and
  -- every row of this file that now leads.  (0011 counted the latest row
  -- of every order in the file, also where an older file's row still
  -- led, adding orders that had not changed: the counts drifted from a
  -- recount whenever a file arrived out of order.)
  WITH touched AS (
    SELECT order_id FROM reports_old
  ), delta AS (
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
        OR (l.src_file = p_file
            AND l.order_id IN (SELECT order_id FROM reports_new))
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

CREATE OR REPLACE FUNCTION reports.rebuild_orders(p_client text) RETURNS bigint
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
            r.src_file COLLATE "C" DESC, r.src_row DESC;
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

-- The loader's counts for one file, summed in C: added to the kept rows,
-- rows that fall to zero orders removed.  Rows are written in key order,
-- like every writer of the table, so two writers cannot deadlock.
CREATE FUNCTION reports.orders_delta_apply(p_client text, p_delta jsonb)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  INSERT INTO reports.order_rollup AS r
         (client_id, product_category, dim, day, value, status, orders,
          revenue, chargebacks, refunds)
  SELECT p_client, d.c, d.d, d.day, d.v, d.s, d.n, d.rev, d.cb, d.rf
    FROM jsonb_to_recordset(p_delta)
         AS d(c text, d text, day date, v text, s text, n bigint,
              rev numeric, cb bigint, rf bigint)
   ORDER BY 2, 3, 4, 5, 6
  ON CONFLICT (client_id, product_category, dim, day, value, status)
  DO UPDATE SET orders = r.orders + EXCLUDED.orders,
                revenue = r.revenue + EXCLUDED.revenue,
                chargebacks = r.chargebacks + EXCLUDED.chargebacks,
                refunds = r.refunds + EXCLUDED.refunds;
  GET DIAGNOSTICS n = ROW_COUNT;
  DELETE FROM reports.order_rollup WHERE orders = 0;
  PERFORM signalroom.bump_data_version('orders');
  RETURN n;
END $$;

-- Recount every client once under the rules and the fix above.
SELECT reports.rebuild_orders(c.client_id)
  FROM (SELECT DISTINCT client_id FROM reports.orders_latest) AS c;

-- The loader finds a file's kept rows through the order ids of the
-- file's earlier version; only the SQL path still looks them up by name,
-- for files too large for memory, where a scan is the lesser cost.
DROP INDEX reports.orders_latest_file;

-- Sticky.io order exports from S3 (one table per prefix) and the state
-- that makes loading them exactly-once.
--
-- Export tables hold every CSV column as text, exactly as exported, under
-- its snake_case name ("Click ID" -> click_id), plus where each row came
-- from.  (_file_name, _row_id) is unique: a file's rows are replaced whole
-- when the file is re-exported.  The three known prefixes are created here
-- so the typed views below can exist from the start; other prefixes get a
-- table on their first file (signalroom.ensure_export_table).

-- Per object: what was loaded, from which version (ETag) of the object.
CREATE TABLE signalroom.s3_objects (
  bucket         text        NOT NULL,
  key            text        NOT NULL,
  prefix         text        NOT NULL,
  table_name     text        NOT NULL,
  etag           text        NOT NULL,
  size           bigint      NOT NULL,
  last_modified  text,
  file_date      date,
  rows_loaded    bigint      NOT NULL,
  rows_rejected  bigint      NOT NULL,
  columns        text[]      NOT NULL,
  new_columns    text[]      NOT NULL DEFAULT '{}',
  loaded_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bucket, key)
);

-- Rows that could not be loaded, where a person can see them.
CREATE TABLE signalroom.s3_quarantine (
  id             bigserial   PRIMARY KEY,
  bucket         text        NOT NULL,
  key            text        NOT NULL,
  etag           text        NOT NULL,
  line           bigint      NOT NULL,
  reason         text        NOT NULL,
  raw            bytea       NOT NULL,
  quarantined_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX s3_quarantine_key ON signalroom.s3_quarantine (bucket, key);
CREATE TABLE s3_exports.orders_create (
  orders_id text,
  created_by text,
  billing_fname text,
  billing_lname text,
  billing_street_address text,
  billing_suburb text,
  billing_city text,
  billing_state text,
  billing_postcode text,
  billing_country text,
  billing_phone text,
  billing_email text,
  delivery_fname text,
  delivery_lname text,
  delivery_street_address text,
  delivery_suburb text,
  delivery_city text,
  delivery_state text,
  delivery_postcode text,
  delivery_country text,
  delivery_phone text,
  delivery_email text,
  shipping_method text,
  shipping_desc text,
  shipping_group text,
  shipping_group_code text,
  shipping_price text,
  shipping_weight text,
  delivery_confirm text,
  signature_confirm text,
  non_taxable_amount text,
  taxable_amount text,
  tax_pct text,
  tax_amount text,
  total_amount text,
  order_date text,
  order_time text,
  tracking_num text,
  campaign_id text,
  customers_id text,
  customer_creation_date text,
  prospects_id text,
  cc_num_masked text,
  cc_expires text,
  gateway_id text,
  gateway_alias text,
  processing_percent text,
  reserve_percent text,
  transaction_fee text,
  chargeback_fee text,
  descriptor text,
  customer_service_number text,
  ip_address text,
  order_status text,
  decline_reason text,
  cascade_flag text,
  orig_gateway text,
  cascade_reason text,
  shipped_date text,
  fraud_flag text,
  fraud_date text,
  chargeback_flag text,
  chargeback_date text,
  chargeback_user text,
  rma_flag text,
  rma_number text,
  rma_reason text,
  rma_date text,
  rma_user text,
  return_flag text,
  return_reason text,
  is_recurring text,
  recurring_date text,
  retry_date text,
  installments text,
  transaction_id text,
  auth_id text,
  retrying text,
  retry_attempt text,
  hold_date text,
  void_flag text,
  void_amount text,
  void_date text,
  void_user text,
  refund_flag text,
  refund_amount text,
  refund_date text,
  refund_user text,
  afid text,
  sid text,
  affid text,
  c1 text,
  c2 text,
  c3 text,
  bid text,
  aid text,
  opt text,
  rebill_discount text,
  rebill_depth text,
  parent_order_id text,
  products_id text,
  product_name text,
  product_attributes text,
  shippable_flag text,
  product_price text,
  product_sku text,
  product_category text,
  products_description text,
  products_quantity text,
  declared_value text,
  order_confirmed text,
  order_confirmed_date text,
  recurring_prod_id text,
  recurring_prod_name text,
  acquisition_date text,
  blacklisted_flag text,
  ancestor_id text,
  decline_salvage_discount text,
  salvage_discount_pct text,
  is_test_cc text,
  cancelled_flag text,
  notes text,
  billing_model_id text,
  fulfillment_number text,
  click_id text,
  retries_left text,
  hold_type_id text,
  offer_id text,
  processor_id text,
  _file_name text NOT NULL,
  _row_id bigint NOT NULL,
  _file_date date,
  _client_id text NOT NULL,
  _loaded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (_file_name, _row_id)
);
CREATE TABLE s3_exports.orders_update (LIKE s3_exports.orders_create INCLUDING ALL);
CREATE TABLE s3_exports.prospects_create (LIKE s3_exports.orders_create INCLUDING ALL);
-- Creates s3_exports.<p_table> if needed and adds any of p_columns it
-- lacks (as text).  Returns the columns it added.  Identifiers are quoted by
-- format('%I'); callers pass only names normalised to [a-z0-9_].
--
-- Loaders of different files run this concurrently.  When nothing is
-- missing it takes no lock at all; a change is made under an advisory lock
-- on the table (held to the end of the caller's transaction) after a
-- second look, so two files with the same new column cannot both add it.
CREATE FUNCTION signalroom.ensure_export_table(p_table text, p_columns text[])
RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  added text[] := '{}';
  col text;
  missing text[];
BEGIN
  IF p_table !~ '^[a-z][a-z0-9_]{0,62}$' THEN
    RAISE EXCEPTION 'invalid export table name %', p_table;
  END IF;
  FOREACH col IN ARRAY p_columns LOOP
    IF col !~ '^[a-z_][a-z0-9_]{0,62}$' THEN
      RAISE EXCEPTION 'invalid export column name %', col;
    END IF;
  END LOOP;
  SELECT array_agg(c) INTO missing
    FROM unnest(p_columns) AS c
   WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns
                      WHERE table_schema = 's3_exports'
                        AND table_name = p_table AND column_name = c);
  IF missing IS NULL AND to_regclass(format('s3_exports.%I', p_table)) IS NOT NULL THEN
    RETURN added;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('signalroom.s3table:' || p_table));
  EXECUTE format('CREATE TABLE IF NOT EXISTS s3_exports.%I (
      _file_name text NOT NULL, _row_id bigint NOT NULL, _file_date date,
      _client_id text NOT NULL, _loaded_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (_file_name, _row_id))', p_table);
  FOREACH col IN ARRAY p_columns LOOP
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_schema = 's3_exports'
                      AND table_name = p_table AND column_name = col) THEN
      EXECUTE format('ALTER TABLE s3_exports.%I ADD COLUMN %I text',
                     p_table, col);
      added := added || col;
    END IF;
  END LOOP;
  RETURN added;
END $$;

-- The COPY statement for loading p_columns (then the provenance columns)
-- into s3_exports.<p_table>, binary format, identifiers quoted by format().
CREATE FUNCTION signalroom.export_copy_statement(p_table text,
                                                 p_columns text[])
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format('COPY s3_exports.%I (%s, _file_name, _row_id, _file_date, '
                '_client_id) FROM STDIN (FORMAT binary)', p_table,
                (SELECT string_agg(format('%I', c), ', ' ORDER BY o)
                   FROM unnest(p_columns) WITH ORDINALITY AS u(c, o)))
$$;

-- Removing a file's rows before its new version is loaded.
CREATE FUNCTION signalroom.delete_export_rows(p_table text, p_file text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  IF p_table !~ '^[a-z][a-z0-9_]{0,62}$' THEN
    RAISE EXCEPTION 'invalid export table name %', p_table;
  END IF;
  IF to_regclass(format('s3_exports.%I', p_table)) IS NULL THEN
    RETURN 0;
  END IF;
  EXECUTE format('DELETE FROM s3_exports.%I WHERE _file_name = $1', p_table)
    USING p_file;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Conversions for the typed views.  Exports are text and sometimes hold
-- junk; a view must not fail on one bad cell, so these return NULL instead.
CREATE FUNCTION signalroom.to_money(v text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN btrim(v) ~ '^-?[0-9]+(\.[0-9]+)?$' THEN btrim(v)::numeric END
$$;

CREATE FUNCTION signalroom.to_flag(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE upper(btrim(v))
           WHEN 'YES' THEN true WHEN 'Y' THEN true WHEN '1' THEN true
           WHEN 'TRUE' THEN true
           WHEN 'NO' THEN false WHEN 'N' THEN false WHEN '0' THEN false
           WHEN 'FALSE' THEN false
         END
$$;

CREATE FUNCTION signalroom.to_int(v text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN btrim(v) ~ '^-?[0-9]{1,18}$' THEN btrim(v)::bigint END
$$;

-- "MM/DD/YYYY" + "hh:mm AM" -> timestamp (the export's local time).
-- Parsed by hand: to_timestamp() depends on the session time zone, and a
-- view's conversion must not.
CREATE FUNCTION signalroom.to_order_time(d text, t text) RETURNS timestamp
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  m text[];
  h int;
BEGIN
  IF d !~ '^[0-9]{2}/[0-9]{2}/[0-9]{4}$' THEN
    RETURN NULL;
  END IF;
  m := regexp_match(coalesce(t, ''), '^([0-9]{1,2}):([0-9]{2}) ?([AaPp])[Mm]$');
  IF m IS NULL THEN
    RETURN make_date(substr(d, 7, 4)::int, substr(d, 1, 2)::int,
                     substr(d, 4, 2)::int)::timestamp;
  END IF;
  h := m[1]::int;
  IF h < 1 OR h > 12 OR m[2]::int > 59 THEN
    RETURN NULL;
  END IF;
  h := h % 12 + CASE WHEN upper(m[3]) = 'P' THEN 12 ELSE 0 END;
  RETURN make_timestamp(substr(d, 7, 4)::int, substr(d, 1, 2)::int,
                        substr(d, 4, 2)::int, h, m[2]::int, 0);
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
  RETURN NULL;   -- 02/30/2025 and the like
END $$;

CREATE VIEW s3_exports.orders_create_typed AS
SELECT signalroom.to_int(orders_id) AS order_id,
       signalroom.to_order_time(order_date, order_time) AS ordered_at,
       order_status,
       signalroom.to_money(total_amount) AS total_amount,
       signalroom.to_money(product_price) AS product_price,
       signalroom.to_money(refund_amount) AS refund_amount,
       signalroom.to_flag(chargeback_flag) AS chargeback,
       signalroom.to_flag(refund_flag) AS refunded,
       signalroom.to_flag(void_flag) AS voided,
       signalroom.to_flag(fraud_flag) AS fraud,
       signalroom.to_flag(is_recurring) AS recurring,
       signalroom.to_flag(is_test_cc) AS test_card,
       product_category, products_id, product_name, campaign_id,
       signalroom.to_int(affid) AS affiliate_id, c1, click_id,
       billing_state, billing_postcode, customers_id,
       decline_reason, gateway_id,
       _file_name, _row_id, _file_date, _client_id, _loaded_at
  FROM s3_exports.orders_create;

CREATE VIEW s3_exports.orders_update_typed AS
SELECT signalroom.to_int(orders_id) AS order_id,
       signalroom.to_order_time(order_date, order_time) AS ordered_at,
       order_status,
       signalroom.to_money(total_amount) AS total_amount,
       signalroom.to_money(product_price) AS product_price,
       signalroom.to_money(refund_amount) AS refund_amount,
       signalroom.to_flag(chargeback_flag) AS chargeback,
       signalroom.to_flag(refund_flag) AS refunded,
       signalroom.to_flag(void_flag) AS voided,
       signalroom.to_flag(fraud_flag) AS fraud,
       signalroom.to_flag(is_recurring) AS recurring,
       signalroom.to_flag(is_test_cc) AS test_card,
       product_category, products_id, product_name, campaign_id,
       signalroom.to_int(affid) AS affiliate_id, c1, click_id,
       billing_state, billing_postcode, customers_id,
       decline_reason, gateway_id,
       _file_name, _row_id, _file_date, _client_id, _loaded_at
  FROM s3_exports.orders_update;

CREATE VIEW s3_exports.prospects_create_typed AS
SELECT signalroom.to_int(orders_id) AS order_id,
       signalroom.to_order_time(order_date, order_time) AS ordered_at,
       order_status,
       signalroom.to_money(total_amount) AS total_amount,
       signalroom.to_money(product_price) AS product_price,
       signalroom.to_money(refund_amount) AS refund_amount,
       signalroom.to_flag(chargeback_flag) AS chargeback,
       signalroom.to_flag(refund_flag) AS refunded,
       signalroom.to_flag(void_flag) AS voided,
       signalroom.to_flag(fraud_flag) AS fraud,
       signalroom.to_flag(is_recurring) AS recurring,
       signalroom.to_flag(is_test_cc) AS test_card,
       product_category, products_id, product_name, campaign_id,
       signalroom.to_int(affid) AS affiliate_id, c1, click_id,
       billing_state, billing_postcode, customers_id,
       decline_reason, gateway_id,
       _file_name, _row_id, _file_date, _client_id, _loaded_at
  FROM s3_exports.prospects_create;

-- The latest known state of each order: update files over create files,
-- newer files over older ones, later rows over earlier ones.
CREATE VIEW s3_exports.orders_current AS
SELECT DISTINCT ON (order_id) *
  FROM (SELECT 2 AS _source_rank, 'orders_update' AS _source, *
          FROM s3_exports.orders_update_typed
        UNION ALL
        SELECT 1, 'orders_create', *
          FROM s3_exports.orders_create_typed) AS o
 WHERE order_id IS NOT NULL
 ORDER BY order_id, _file_date DESC NULLS LAST, _source_rank DESC,
          _file_name DESC, _row_id DESC;

-- Staging for one window's rows (see everflow_incoming.sql).
CREATE TEMP TABLE redtrack_incoming (
  date date NOT NULL, source_id text NOT NULL, source_name text NOT NULL,
  source_alias text NOT NULL, clicks bigint NOT NULL,
  conversions bigint NOT NULL, cost numeric NOT NULL
) ON COMMIT DROP

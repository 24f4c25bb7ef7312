-- Redtrack report grouped by traffic source, one row per day and source.
-- `conversions` is Redtrack's primary conversion type only (never
-- total_conversions); `cost` is exact decimal.
CREATE TABLE redtrack.daily_spend (
  date          date        NOT NULL,
  source_id     text        NOT NULL,
  source_name   text        NOT NULL,
  source_alias  text        NOT NULL,
  clicks        bigint      NOT NULL,
  conversions   bigint      NOT NULL,
  cost          numeric     NOT NULL,
  _client_id    text        NOT NULL,
  _loaded_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT daily_spend_key UNIQUE (date, source_id)
);
COMMENT ON TABLE redtrack.daily_spend IS
  'Redtrack clicks, conversions and cost per day (reporting time zone) and traffic source';

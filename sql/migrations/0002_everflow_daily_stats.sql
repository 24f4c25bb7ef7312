-- Everflow entity-table report per date x affiliate x advertiser.
-- `date` is the calendar day in the reporting time zone (the date column's
-- epoch is local midnight there), money is numeric (exact decimal text from
-- the API, never a float), and labels are stored exactly as Everflow sends
-- them (trailing spaces included; the views trim).
CREATE TABLE everflow.daily_stats (
  date             date          NOT NULL,
  affiliate_id     bigint        NOT NULL,
  affiliate_label  text          NOT NULL,
  advertiser_id    bigint        NOT NULL,
  advertiser_label text          NOT NULL,
  clicks           bigint        NOT NULL,
  conversions      bigint        NOT NULL,
  revenue          numeric       NOT NULL,
  payout           numeric       NOT NULL,
  profit           numeric       NOT NULL,
  _client_id       text          NOT NULL,
  _loaded_at       timestamptz   NOT NULL DEFAULT now(),
  CONSTRAINT daily_stats_key UNIQUE (date, affiliate_id, advertiser_id)
);
CREATE INDEX daily_stats_advertiser_date
  ON everflow.daily_stats (advertiser_id, date);
COMMENT ON TABLE everflow.daily_stats IS
  'Everflow clicks, conversions and money per day (reporting time zone), affiliate and advertiser';

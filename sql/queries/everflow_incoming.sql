-- Staging for one window's rows; dropped at COMMIT, so it needs no
-- session state (transaction poolers are fine) and never outlives a sync.
CREATE TEMP TABLE everflow_incoming (
  date date NOT NULL, affiliate_id bigint NOT NULL,
  affiliate_label text NOT NULL, advertiser_id bigint NOT NULL,
  advertiser_label text NOT NULL, clicks bigint NOT NULL,
  conversions bigint NOT NULL, revenue numeric NOT NULL,
  payout numeric NOT NULL, profit numeric NOT NULL
) ON COMMIT DROP

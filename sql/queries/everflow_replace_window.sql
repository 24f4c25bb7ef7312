-- Replace every everflow.daily_stats row of one client in [$1, $2] with
-- the rows in $4 (a JSON array), in one statement: rows that vanished
-- upstream are deleted, changed rows updated, new rows inserted; unchanged
-- rows are not touched.  $3 is the client id.  Returns the three counts.
WITH incoming AS (
  SELECT *
    FROM jsonb_to_recordset($4::jsonb) AS r (
           date date, affiliate_id bigint, affiliate_label text,
           advertiser_id bigint, advertiser_label text, clicks bigint,
           conversions bigint, revenue numeric, payout numeric,
           profit numeric)
), gone AS (
  DELETE FROM everflow.daily_stats t
   WHERE t._client_id = $3::text
     AND t.date BETWEEN $1::date AND $2::date
     AND NOT EXISTS (SELECT 1 FROM incoming i
                      WHERE i.date = t.date
                        AND i.affiliate_id = t.affiliate_id
                        AND i.advertiser_id = t.advertiser_id)
  RETURNING 1
), written AS (
  INSERT INTO everflow.daily_stats AS t
         (date, affiliate_id, affiliate_label, advertiser_id,
          advertiser_label, clicks, conversions, revenue, payout, profit,
          _client_id, _loaded_at)
  SELECT i.date, i.affiliate_id, i.affiliate_label, i.advertiser_id,
         i.advertiser_label, i.clicks, i.conversions, i.revenue, i.payout,
         i.profit, $3::text, now()
    FROM incoming i
  ON CONFLICT (date, affiliate_id, advertiser_id) DO UPDATE
     SET affiliate_label = EXCLUDED.affiliate_label,
         advertiser_label = EXCLUDED.advertiser_label,
         clicks = EXCLUDED.clicks,
         conversions = EXCLUDED.conversions,
         revenue = EXCLUDED.revenue,
         payout = EXCLUDED.payout,
         profit = EXCLUDED.profit,
         _client_id = EXCLUDED._client_id,
         _loaded_at = EXCLUDED._loaded_at
   WHERE (t.affiliate_label, t.advertiser_label, t.clicks, t.conversions,
          t.revenue, t.payout, t.profit, t._client_id)
         IS DISTINCT FROM
         (EXCLUDED.affiliate_label, EXCLUDED.advertiser_label,
          EXCLUDED.clicks, EXCLUDED.conversions, EXCLUDED.revenue,
          EXCLUDED.payout, EXCLUDED.profit, EXCLUDED._client_id)
  RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM gone) AS deleted,
       (SELECT count(*) FILTER (WHERE inserted) FROM written) AS inserted,
       (SELECT count(*) FILTER (WHERE NOT inserted) FROM written) AS updated

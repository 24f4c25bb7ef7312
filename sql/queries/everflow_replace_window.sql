-- Replace every everflow.daily_stats row of one client in [$1, $2] with
-- the rows staged in everflow_incoming, in one statement: rows that vanished
-- upstream are deleted, changed rows updated, new rows inserted; unchanged
-- rows are not touched.  $3 is the client id; $4 an advertiser id when
-- the sync was for that advertiser only (NULL: all).  Returns the counts.
WITH gone AS (
  DELETE FROM everflow.daily_stats t
   WHERE t._client_id = $3::text
     AND t.date BETWEEN $1::date AND $2::date
     AND ($4::bigint IS NULL OR t.advertiser_id = $4::bigint)
     -- NOT IN over a subquery runs as one hashed lookup; NOT EXISTS
     -- against the CTE was planned as a nested loop (10,000 x 10,000).
     -- The keys are never NULL, so NOT IN means what it says.
     AND (t.date, t.affiliate_id, t.advertiser_id) NOT IN
         (SELECT i.date, i.affiliate_id, i.advertiser_id FROM everflow_incoming i)
  RETURNING 1
), written AS (
  INSERT INTO everflow.daily_stats AS t
         (date, affiliate_id, affiliate_label, advertiser_id,
          advertiser_label, clicks, conversions, revenue, payout, profit,
          _client_id, _loaded_at)
  SELECT i.date, i.affiliate_id, i.affiliate_label, i.advertiser_id,
         i.advertiser_label, i.clicks, i.conversions, i.revenue, i.payout,
         i.profit, $3::text, now()
    FROM everflow_incoming i
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

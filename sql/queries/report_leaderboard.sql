-- leaderboard: affiliates of one brand ranked over [$3, $4].  $1 client,
-- $2 brand code, $5 sort (conversions|revenue|cost|cpa|profit), $6 order
-- (asc|desc), $7 limit.  Affiliates without conversions have CPA 0 but
-- rank last by CPA, whichever the order.  The sums are the running totals
-- at the range's last day minus those of the day before its first
-- (reports.performance_running): two days of rows whatever the range.
-- They are the sums of reports.affiliate_days over the range, which
-- reports.leaderboard shows per day.
WITH b AS (
  SELECT advertiser_id FROM signalroom.brands WHERE code = $2
), d AS (
  -- the range's last day, where the totals end (the last day loaded)
  SELECT b.advertiser_id,
         least($4::date, (SELECT max(r.date)
                            FROM reports.performance_running r
                           WHERE r.client_id = $1
                             AND r.advertiser_id = b.advertiser_id)) AS hi
    FROM b
), edges AS (
  -- that day's totals, and minus those of the day before the first
  SELECT r.*, CASE WHEN r.date = $3::date - 1 THEN -1 ELSE 1 END AS s
    FROM d
    JOIN reports.performance_running r
      ON r.client_id = $1 AND r.advertiser_id = d.advertiser_id
     AND r.date = ANY (ARRAY[$3::date - 1,
                             CASE WHEN d.hi >= $3::date THEN d.hi END])
), a AS (
  SELECT affiliate_label, sum(s * internal_days) > 0 AS is_internal,
         sum(s * conversions) AS conversions, sum(s * cost) AS cost,
         sum(s * revenue) AS revenue, sum(s * payout) AS payout,
         sum(s * (revenue - cost)) AS profit
    FROM edges
   GROUP BY affiliate_label
  HAVING sum(s * days) > 0
), k AS (
  SELECT a.*,
         CASE $5::text
           WHEN 'conversions' THEN conversions::numeric
           WHEN 'revenue' THEN revenue
           WHEN 'cost' THEN cost
           WHEN 'profit' THEN profit
           WHEN 'cpa' THEN CASE WHEN conversions > 0
                                THEN round(cost / conversions, 2) END
         END AS key
    FROM a
), ranked AS (
  SELECT k.*,
         row_number() OVER (
           ORDER BY CASE WHEN $6::text = 'asc' THEN key END ASC NULLS LAST,
                    CASE WHEN $6::text = 'desc' THEN key END DESC NULLS LAST,
                    affiliate_label) AS rank
    FROM k
)
SELECT rank, affiliate_label, is_internal, conversions,
       round(cost, 2) AS cost,
       CASE WHEN conversions > 0 THEN round(cost / conversions, 2)
            ELSE 0 END AS cpa,
       round(revenue, 2) AS revenue, round(payout, 2) AS payout,
       round(profit, 2) AS profit
  FROM ranked
 WHERE rank <= $7::int
 ORDER BY rank

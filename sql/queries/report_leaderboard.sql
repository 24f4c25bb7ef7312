-- leaderboard: affiliates of one brand ranked over [$3, $4].  $1 client,
-- $2 brand code, $5 sort (conversions|revenue|cost|cpa|profit), $6 order
-- (asc|desc), $7 limit.  Affiliates without conversions have CPA 0 but
-- rank last by CPA, whichever the order.
WITH a AS (
  SELECT affiliate_label, bool_or(is_internal) AS is_internal,
         sum(conversions) AS conversions, sum(cost) AS cost,
         sum(revenue) AS revenue, sum(payout) AS payout,
         sum(profit) AS profit
    FROM reports.affiliate_days
   WHERE client_id = $1 AND brand = $2
     AND date BETWEEN $3::date AND $4::date
   GROUP BY affiliate_label
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

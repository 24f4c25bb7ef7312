-- daily-summary: one brand's day as rows (row_kind total, internal,
-- external, affiliate (the top $4 by conversions), previous_day,
-- trailing_7_day_average).  $1 client, $2 brand code, $3 day, $4 top.
-- The averages divide by 7 whatever the days held: a day without data
-- counts as zero, not as missing.
WITH d AS (
  SELECT a.* FROM reports.affiliate_days a
   WHERE a.client_id = $1 AND a.brand = $2 AND a.date = $3::date
), parts AS (
  SELECT 1 AS o, 'total' AS row_kind, NULL::text AS affiliate_label,
         NULL::boolean AS is_internal, sum(conversions) AS conversions,
         sum(cost) AS cost, sum(revenue) AS revenue, sum(payout) AS payout,
         sum(profit) AS profit
    FROM reports.affiliate_days
   WHERE client_id = $1 AND brand = $2 AND date = $3::date
  UNION ALL
  SELECT 2, 'internal', NULL, true, sum(conversions), sum(cost),
         sum(revenue), sum(payout), sum(profit)
    FROM reports.affiliate_days
   WHERE client_id = $1 AND brand = $2 AND date = $3::date AND is_internal
  UNION ALL
  SELECT 3, 'external', NULL, false, sum(conversions), sum(cost),
         sum(revenue), sum(payout), sum(profit)
    FROM reports.affiliate_days
   WHERE client_id = $1 AND brand = $2 AND date = $3::date
     AND NOT is_internal
  UNION ALL
  SELECT 5, 'previous_day', NULL, NULL, sum(conversions), sum(cost),
         sum(revenue), sum(payout), sum(profit)
    FROM reports.affiliate_days
   WHERE client_id = $1 AND brand = $2 AND date = $3::date - 1
  UNION ALL
  SELECT 6, 'trailing_7_day_average', NULL, NULL, sum(conversions) / 7.0,
         sum(cost) / 7, sum(revenue) / 7, sum(payout) / 7, sum(profit) / 7
    FROM reports.affiliate_days
   WHERE client_id = $1 AND brand = $2
     AND date BETWEEN $3::date - 7 AND $3::date - 1
), top AS (
  SELECT 4 AS o, 'affiliate' AS row_kind, affiliate_label, is_internal,
         conversions::numeric, cost, revenue, payout, profit
    FROM d
   WHERE conversions > 0
   ORDER BY conversions DESC, affiliate_label
   LIMIT $4::int
)
SELECT row_kind, affiliate_label, is_internal,
       trim_scale(round(coalesce(conversions, 0), 2)) AS conversions,
       round(coalesce(cost, 0), 2) AS cost,
       CASE WHEN coalesce(conversions, 0) > 0
            THEN round(cost / conversions, 2) ELSE 0 END AS cpa,
       round(coalesce(revenue, 0), 2) AS revenue,
       round(coalesce(payout, 0), 2) AS payout,
       round(coalesce(profit, 0), 2) AS profit
  FROM (SELECT * FROM parts UNION ALL SELECT * FROM top) AS x
 ORDER BY o, conversions DESC NULLS LAST, affiliate_label

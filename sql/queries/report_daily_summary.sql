-- daily-summary: one brand's day as rows (row_kind total, internal,
-- external, affiliate (the top $4 by conversions), previous_day,
-- trailing_7_day_average).  $1 client, $2 brand code, $3 day, $4 top.
-- The averages divide by 7 whatever the days held: a day without data
-- counts as zero, not as missing.  Sums come from the per-day totals the
-- loads keep (reports.performance_totals), the top affiliates from the
-- day's rows; both are what reports.affiliate_days shows.
WITH b AS (
  SELECT advertiser_id FROM signalroom.brands WHERE code = $2
), t AS (
  SELECT t.* FROM reports.performance_totals t, b
   WHERE t.client_id = $1 AND t.advertiser_id = b.advertiser_id
     AND t.date BETWEEN $3::date - 7 AND $3::date
), parts AS (
  SELECT 1 AS o, 'total' AS row_kind, NULL::text AS affiliate_label,
         NULL::boolean AS is_internal, sum(conversions) AS conversions,
         sum(cost) AS cost, sum(revenue) AS revenue, sum(payout) AS payout,
         sum(revenue - cost) AS profit
    FROM t WHERE date = $3::date
  UNION ALL
  SELECT 2, 'internal', NULL, true, sum(conversions), sum(cost),
         sum(revenue), sum(payout), sum(revenue - cost)
    FROM t WHERE date = $3::date AND is_internal
  UNION ALL
  SELECT 3, 'external', NULL, false, sum(conversions), sum(cost),
         sum(revenue), sum(payout), sum(revenue - cost)
    FROM t WHERE date = $3::date AND NOT is_internal
  UNION ALL
  SELECT 5, 'previous_day', NULL, NULL, sum(conversions), sum(cost),
         sum(revenue), sum(payout), sum(revenue - cost)
    FROM t WHERE date = $3::date - 1
  UNION ALL
  SELECT 6, 'trailing_7_day_average', NULL, NULL, sum(conversions) / 7.0,
         sum(cost) / 7, sum(revenue) / 7, sum(payout) / 7,
         sum(revenue - cost) / 7
    FROM t WHERE date < $3::date
), top AS (
  SELECT 4 AS o, 'affiliate' AS row_kind, p.affiliate_label, p.is_internal,
         p.conversions::numeric, p.cost, p.everflow_revenue AS revenue,
         p.everflow_payout AS payout, p.everflow_revenue - p.cost AS profit
    FROM reports.performance_days p, b
   WHERE p.client_id = $1 AND p.advertiser_id = b.advertiser_id
     AND p.date = $3::date AND p.conversions > 0
   ORDER BY p.conversions DESC, p.affiliate_label
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

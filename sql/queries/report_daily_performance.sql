-- daily-performance: public.daily_performance's rows for one brand over
-- [$3, $4], as kept by the loads.  $1 client, $2 brand code.
SELECT date, affiliate_label, is_internal, conversions, cost, cpa,
       everflow_payout, everflow_revenue, redtrack_cost, redtrack_clicks
  FROM reports.daily_performance
 WHERE client_id = $1 AND brand = $2 AND date BETWEEN $3::date AND $4::date
 ORDER BY date, conversions DESC, affiliate_label

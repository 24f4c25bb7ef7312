-- title: daily_performance, CCW, yesterday
-- What each CCW affiliate cost per conversion yesterday (the session's
-- time zone decides "yesterday": the demo runs psql with PGTZ set to
-- SIGNALROOM_TIMEZONE).
SELECT affiliate_label, conversions, everflow_payout, redtrack_cost,
       is_internal, cost, cpa
  FROM public.daily_performance
 WHERE date = current_date - 1 AND advertiser_id = 1
 ORDER BY conversions DESC, affiliate_label;

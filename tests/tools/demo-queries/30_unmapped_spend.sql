-- title: unmapped_spend, yesterday
SELECT source_name, cost, reason
  FROM public.unmapped_spend
 WHERE date = current_date - 1
 ORDER BY cost DESC, source_name;

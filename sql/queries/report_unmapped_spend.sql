-- unmapped-spend: Redtrack spend no internal affiliate's cost includes,
-- per day and source, over [$2, $3].  $1 client.
SELECT date, source_id, source_name, cost, reason
  FROM reports.unmapped_spend
 WHERE client_id = $1 AND date BETWEEN $2::date AND $3::date
 ORDER BY date, cost DESC, source_id

-- $1 client id.  The mapping in file order.
SELECT redtrack_source_id, redtrack_source_name, redtrack_source_alias,
       everflow_affiliate_id, everflow_affiliate_label,
       everflow_advertiser_id, everflow_advertiser_label, line,
       to_char(loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
  FROM signalroom.affiliate_mapping
 WHERE client_id = $1::text
 ORDER BY line

-- $1 client id, $2 JSON array of mapping rows (see server/store/store_mapping.c).
INSERT INTO signalroom.affiliate_mapping
       (client_id, redtrack_source_id, redtrack_source_name,
        redtrack_source_alias, everflow_affiliate_id,
        everflow_affiliate_label, everflow_advertiser_id,
        everflow_advertiser_label, line)
SELECT $1::text, r.source_id, r.source_name, r.source_alias,
       r.affiliate_id, r.affiliate_label, r.advertiser_id,
       r.advertiser_label, r.line
  FROM jsonb_to_recordset($2::jsonb) AS r (
         source_id text, source_name text, source_alias text,
         affiliate_id bigint, affiliate_label text, advertiser_id bigint,
         advertiser_label text, line integer)

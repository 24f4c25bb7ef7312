-- $1 client id.  First half of replacing a client's mapping (same
-- transaction as mapping_insert).
DELETE FROM signalroom.affiliate_mapping WHERE client_id = $1::text

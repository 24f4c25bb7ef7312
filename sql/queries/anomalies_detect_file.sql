-- $1 bucket, $2 key of the object just recorded, $3 client id, $4 the
-- reporting time zone, $5 quarantine rate, $6 MAD threshold, $7 minimum
-- change, $8 minimum change as a share of the median.  In the object's
-- transaction; returns the anomalies added.
SELECT signalroom.detect_file_anomalies(
         $1::text, $2::text, $3::text, (now() AT TIME ZONE $4::text)::date,
         $5::numeric, $6::numeric, $7::numeric, $8::numeric)

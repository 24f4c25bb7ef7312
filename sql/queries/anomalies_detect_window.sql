-- $1 source (everflow, redtrack), $2 client id, $3..$4 the days the load
-- replaced, $5 the reporting time zone (days from its today on are not
-- complete), $6 MAD threshold, $7 minimum change, $8 minimum change as a
-- share of the median, $9 unmapped spend dollars a day.  In the load's
-- transaction; returns the anomalies added.
SELECT signalroom.detect_load_anomalies(
         $1::text, $2::text, $3::date, $4::date,
         (now() AT TIME ZONE $5::text)::date, $6::numeric, $7::numeric,
         $8::numeric, $9::numeric)

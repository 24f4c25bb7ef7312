-- Keyset page of anomalies, newest first.  $1 status, $2 kind, $3 source,
-- $4 brand, $5 from, $6 to (days, inclusive), each NULL for any; $7
-- cursor (ids below it) or NULL, $8 page size.
SELECT coalesce(jsonb_agg(signalroom.anomaly_json(a) ORDER BY a.id DESC),
                '[]'::jsonb)::text
  FROM (SELECT * FROM signalroom.anomalies
         WHERE ($1::text IS NULL OR status = $1::text)
           AND ($2::text IS NULL OR kind = $2::text)
           AND ($3::text IS NULL OR source = $3::text)
           AND ($4::text IS NULL OR brand = $4::text)
           AND ($5::date IS NULL OR day >= $5::date)
           AND ($6::date IS NULL OR day <= $6::date)
           AND ($7::bigint IS NULL OR id < $7::bigint)
         ORDER BY id DESC
         LIMIT $8::integer) AS a

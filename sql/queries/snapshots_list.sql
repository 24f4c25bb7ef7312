-- GET /v1/reports/snapshots.  $1 report, $2 brand (a code in any case or
-- an Everflow advertiser id; NULL: every brand), $3 from, $4 to (days),
-- $5 only the newest per report, brand and day, $6 at most this many.
-- Whether $2 names a brand, and the answer's JSON, newest first (the
-- data as jsonb printed it: decimals keep their places).
WITH b AS (
  SELECT code FROM signalroom.brands
   WHERE code = upper(btrim($2::text))
      OR advertiser_id::text = btrim($2::text)
   ORDER BY code = upper(btrim($2::text)) DESC
   LIMIT 1
), ranked AS (
  SELECT s.*, row_number() OVER (PARTITION BY s.report, s.brand, s.date
                                 ORDER BY s.generated_at DESC, s.id DESC)
                AS newest
    FROM reports.snapshots s
   WHERE s.report = $1::text
     AND s.date BETWEEN $3::date AND $4::date
     AND ($2::text IS NULL OR s.brand = (SELECT code FROM b))
), picked AS (
  SELECT * FROM ranked
   WHERE NOT $5::boolean OR newest = 1
   ORDER BY generated_at DESC, id DESC
   LIMIT $6::integer
)
SELECT $2::text IS NULL OR EXISTS (SELECT 1 FROM b),
       jsonb_build_object(
         'data', coalesce((
           SELECT jsonb_agg(jsonb_build_object(
                    'id', id, 'report', report, 'brand', brand,
                    'date', to_char(date, 'YYYY-MM-DD'),
                    'generated_at', to_char(generated_at AT TIME ZONE 'UTC',
                                            'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    'run_id', run_id, 'data', data)
                    ORDER BY generated_at DESC, id DESC)
             FROM picked), '[]'::jsonb),
         'meta', jsonb_build_object(
           'params', jsonb_build_object(
             'report', $1::text, 'brand', (SELECT code FROM b),
             'from', $3::text, 'to', $4::text, 'latest', $5::boolean,
             'limit', $6::integer),
           'count', (SELECT count(*) FROM picked)))::text

-- What a report request needs before its own SQL, in one round trip:
-- the brand ($1, a code in any case or an Everflow advertiser id; NULL
-- when the report takes none), the data version of the report's tables
-- ($2), and the freshness of its last day ($3) in the reporting time zone
-- ($4): per source, when a successful load last covered the day, and
-- whether that load ran after the day ended (the day is complete).
-- Everflow and Redtrack loads cover windows of days; an order file covers
-- its date.  No brand row means an unknown brand.
WITH loads AS (
  SELECT s.source,
         (SELECT max(j.finished_at) FROM signalroom.jobs j
           WHERE j.source = s.source AND j.status = 'succeeded'
             AND j.kind = 'sync'
             AND $3::date BETWEEN j.window_from AND j.window_to)
           AS loaded_at
    FROM unnest(ARRAY['everflow', 'redtrack']) AS s(source)
  UNION ALL
  SELECT 's3_exports',
         (SELECT max(o.loaded_at) FROM signalroom.s3_objects o
           WHERE o.file_date = $3::date)
), fresh AS (
  SELECT jsonb_object_agg(source, jsonb_build_object(
           'loaded_at', to_char(loaded_at AT TIME ZONE 'UTC',
                                'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'complete', coalesce(loaded_at >= ($3::date + 1)::timestamp
                                              AT TIME ZONE $4::text, false)))
           AS freshness
    FROM loads
)
SELECT b.code, b.name, b.advertiser_id, v.version, f.freshness::text
  FROM signalroom.data_versions v
 CROSS JOIN fresh f
  LEFT JOIN LATERAL (
    SELECT code, name, advertiser_id FROM signalroom.brands
     WHERE $1::text IS NOT NULL
       AND (code = upper(btrim($1::text))
            OR advertiser_id::text = btrim($1::text))
     ORDER BY code = upper(btrim($1::text)) DESC
     LIMIT 1) b ON true
 WHERE v.area = $2::text

-- Freshness of one day's data: per source, when a successful load last
-- covered the day ($1), and whether that load ran after the day ended in
-- the reporting time zone ($2), i.e. the day is complete.  Everflow and
-- Redtrack loads cover windows of days; an order file covers its date.
WITH loads AS (
  SELECT s.source,
         (SELECT max(j.finished_at) FROM signalroom.jobs j
           WHERE j.source = s.source AND j.status = 'succeeded'
             AND j.kind = 'sync'
             AND $1::date BETWEEN j.window_from AND j.window_to)
           AS loaded_at
    FROM unnest(ARRAY['everflow', 'redtrack']) AS s(source)
  UNION ALL
  SELECT 's3_exports',
         (SELECT max(o.loaded_at) FROM signalroom.s3_objects o
           WHERE o.file_date = $1::date)
)
SELECT source,
       to_char(loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
         AS loaded_at,
       coalesce(loaded_at >= ($1::date + 1)::timestamp AT TIME ZONE $2::text,
                false) AS complete
  FROM loads
 ORDER BY source

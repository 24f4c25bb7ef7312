-- Keyset page of runs, newest first.  $1 source or NULL, $2 status or
-- NULL, $3 date or NULL (window holds it, or created that day for runs
-- without a window), $4 cursor (ids below it) or NULL, $5 page size.
-- Child runs are listed inside their parent only.
SELECT coalesce(jsonb_agg(signalroom.run_json(id) ORDER BY id DESC),
                '[]'::jsonb)::text
  FROM (SELECT id FROM signalroom.runs r
         WHERE r.parent_id IS NULL
           AND ($1::text IS NULL OR r.source = $1::text)
           AND ($2::text IS NULL OR r.status = $2::text)
           AND ($3::date IS NULL
                OR (r.window_from IS NOT NULL
                    AND $3::date BETWEEN r.window_from AND r.window_to)
                OR (r.window_from IS NULL AND r.created_at::date = $3::date))
           AND ($4::bigint IS NULL OR r.id < $4::bigint)
         ORDER BY r.id DESC
         LIMIT $5::integer) AS page

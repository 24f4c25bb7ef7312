-- $1 report, $2 brand code, $3 day, $4 run id (NULL: not from a run),
-- $5 the report's data (JSON).  A snapshot already kept for the same
-- run (a retried job) stays as it is: no row is returned then.
INSERT INTO reports.snapshots (report, brand, date, run_id, data)
VALUES ($1::text, $2::text, $3::date, $4::bigint, $5::jsonb)
ON CONFLICT (report, brand, date, run_id) DO NOTHING
RETURNING id

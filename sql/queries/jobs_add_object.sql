-- $1 run, $2 key, $3 meta JSON, $4 force.  One S3 object to load.
INSERT INTO signalroom.jobs (run_id, kind, source, object_key, object_meta,
                             force)
VALUES ($1::bigint, 'object', 's3_exports', $2::text, $3::jsonb,
        $4::boolean)

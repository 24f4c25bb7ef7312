-- Record what was loaded from one object.  $1 bucket, $2 key, $3 prefix,
-- $4 table, $5 etag, $6 size, $7 last modified, $8 file date (or NULL),
-- $9 rows loaded, $10 rows rejected, $11 columns (JSON array), $12 columns
-- added by this file (JSON array).
INSERT INTO signalroom.s3_objects
       (bucket, key, prefix, table_name, etag, size, last_modified,
        file_date, rows_loaded, rows_rejected, columns, new_columns,
        loaded_at)
VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint,
        $7::text, $8::date, $9::bigint, $10::bigint,
        ARRAY(SELECT jsonb_array_elements_text($11::jsonb)),
        ARRAY(SELECT jsonb_array_elements_text($12::jsonb)), now())
ON CONFLICT (bucket, key) DO UPDATE
   SET prefix = EXCLUDED.prefix, table_name = EXCLUDED.table_name,
       etag = EXCLUDED.etag, size = EXCLUDED.size,
       last_modified = EXCLUDED.last_modified,
       file_date = EXCLUDED.file_date, rows_loaded = EXCLUDED.rows_loaded,
       rows_rejected = EXCLUDED.rows_rejected, columns = EXCLUDED.columns,
       new_columns = EXCLUDED.new_columns, loaded_at = EXCLUDED.loaded_at

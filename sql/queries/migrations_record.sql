-- $1 version, $2 name, $3 migration text.
INSERT INTO signalroom.schema_migrations (version, name, checksum)
VALUES ($1::integer, $2::text,
        encode(sha256(convert_to($3::text, 'UTF8')), 'hex'))

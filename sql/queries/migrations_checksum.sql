-- $1 version, $2 migration text.  No row: not applied.  One row: whether
-- the applied text is the one this binary carries.
SELECT checksum = encode(sha256(convert_to($2::text, 'UTF8')), 'hex')
  FROM signalroom.schema_migrations
 WHERE version = $1::integer

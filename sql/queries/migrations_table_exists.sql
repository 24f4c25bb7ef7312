-- Whether migrations were ever run here (checked before reading the table,
-- so an empty database is reported as such and not logged as an error).
SELECT to_regclass('signalroom.schema_migrations') IS NOT NULL

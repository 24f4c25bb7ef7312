-- Every applied version, oldest first (readiness and `migrate` report).
SELECT version FROM signalroom.schema_migrations ORDER BY version

-- Creates what the migration runner itself needs.  Runs under the
-- migration advisory lock, so concurrent starts cannot race here.
CREATE SCHEMA IF NOT EXISTS signalroom;
CREATE TABLE IF NOT EXISTS signalroom.schema_migrations (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  checksum   text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

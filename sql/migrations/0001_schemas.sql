-- The schemas signalroom writes to.  Each migration runs in one
-- transaction opened by the runner: no BEGIN/COMMIT in these files.
--
--   signalroom  internal state: migrations, runs, jobs, schedules, mappings
--   everflow    Everflow reporting tables
--   redtrack    Redtrack reporting tables
--   s3_exports  Sticky.io order exports from S3
CREATE SCHEMA IF NOT EXISTS signalroom;
CREATE SCHEMA IF NOT EXISTS everflow;
CREATE SCHEMA IF NOT EXISTS redtrack;
CREATE SCHEMA IF NOT EXISTS s3_exports;

COMMENT ON SCHEMA signalroom IS 'signalroom internal state';
COMMENT ON SCHEMA everflow IS 'Everflow affiliate network data (signalroom)';
COMMENT ON SCHEMA redtrack IS 'Redtrack ad spend data (signalroom)';
COMMENT ON SCHEMA s3_exports IS 'Sticky.io order exports from S3 (signalroom)';

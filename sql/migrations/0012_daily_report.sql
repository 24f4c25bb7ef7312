-- The daily report run: a schedule may wait for several others
-- (signalroom.schedule_after replaces the single after_schedule column),
-- the seeded daily-report schedule waits for both daily ad syncs, and the
-- summaries it computes are kept as snapshots, so "what did the 7 am
-- report say" can be answered after upstream restated the day.

CREATE TABLE signalroom.schedule_after (
  schedule_name text NOT NULL REFERENCES signalroom.schedules (name)
                     ON DELETE CASCADE,
  after_name    text NOT NULL REFERENCES signalroom.schedules (name),
  PRIMARY KEY (schedule_name, after_name)
);
INSERT INTO signalroom.schedule_after (schedule_name, after_name)
SELECT name, after_schedule FROM signalroom.schedules
 WHERE after_schedule IS NOT NULL;

DROP TRIGGER schedules_after_acyclic ON signalroom.schedules;
DROP FUNCTION signalroom.schedules_check_after();
ALTER TABLE signalroom.schedules DROP COLUMN after_schedule;

-- A dependency graph must have no cycle: a tick on a cycle would wait
-- forever.  The new edge closes one when its schedule can be reached from
-- the schedule it waits for; the message names the whole cycle.  Edges
-- are added one lock at a time: two transactions each adding half of a
-- cycle would otherwise both pass (each blind to the other's row); after
-- the lock, the check's own snapshot sees what the other committed.
CREATE FUNCTION signalroom.schedule_after_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cycle text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('signalroom.schedule_after'));
  WITH RECURSIVE chain(name, path, depth) AS (
    SELECT NEW.after_name, NEW.schedule_name || ' -> ' || NEW.after_name, 1
    UNION ALL
    SELECT a.after_name, c.path || ' -> ' || a.after_name, c.depth + 1
      FROM chain c
      JOIN signalroom.schedule_after a ON a.schedule_name = c.name
     WHERE c.name <> NEW.schedule_name AND c.depth < 64)
  SELECT c.path INTO cycle FROM chain c
   WHERE c.name = NEW.schedule_name
   ORDER BY c.depth LIMIT 1;
  IF cycle IS NOT NULL THEN
    RAISE EXCEPTION 'schedule % would wait on itself: %', NEW.schedule_name,
                    cycle USING ERRCODE = 'SR002';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER schedule_after_acyclic
  BEFORE INSERT OR UPDATE ON signalroom.schedule_after
  FOR EACH ROW EXECUTE FUNCTION signalroom.schedule_after_check();

-- 07:30 in SIGNALROOM_TIMEZONE, once that day's Everflow and Redtrack
-- syncs succeeded (or after an hour regardless, with an alert): every
-- brand's daily summary of yesterday (window_days 0: the source's own
-- default window).
INSERT INTO signalroom.schedules
       (name, cron, source, window_days, wait_minutes, description)
VALUES ('daily-report', '30 7 * * *', 'daily_report', 0, 60,
        'Daily summary of yesterday per brand, kept as a snapshot, after '
        'the daily Everflow and Redtrack syncs');
INSERT INTO signalroom.schedule_after (schedule_name, after_name)
VALUES ('daily-report', 'everflow-daily'),
       ('daily-report', 'redtrack-daily');

-- What a report said when it was computed.  One row per report, brand,
-- day and run: a retried job of the same run finds its row there and adds
-- none; a later run adds its own.  run_id is NULL for a snapshot taken
-- outside the job queue (the command line), each of which is its own.
CREATE TABLE reports.snapshots (
  id           bigserial   PRIMARY KEY,
  report       text        NOT NULL,
  brand        text        NOT NULL REFERENCES signalroom.brands (code),
  date         date        NOT NULL,
  generated_at timestamptz NOT NULL DEFAULT now(),
  run_id       bigint      REFERENCES signalroom.runs (id),
  data         jsonb       NOT NULL,
  UNIQUE (report, brand, date, run_id)
);
-- The newest snapshot of a report, brand and day.
CREATE INDEX snapshots_latest
  ON reports.snapshots (report, brand, date, generated_at DESC, id DESC);

CREATE VIEW reports.report_snapshots AS
SELECT id, report, brand, date, generated_at, run_id, data
  FROM reports.snapshots;
COMMENT ON VIEW reports.report_snapshots IS
  'What each stored report run said (the daily report at 07:30): per report, brand, day and run, the report''s data as it was';

-- Dashboards read the view, as they read every reports view (0011).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'signalroom_reader') THEN
    GRANT SELECT ON reports.report_snapshots TO signalroom_reader;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'signalroom_reader not granted the snapshots: %', SQLERRM;
END $$;

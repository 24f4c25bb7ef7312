-- The W3C traceparent of the request that queued a run (NULL for the
-- scheduler's and the command line's), so the spans of its jobs join that
-- request's trace (issue: observability).  The API passes it as the
-- transaction-local setting signalroom.traceparent around create_run, so
-- create_run's signature (and every caller) stays as it is and each run
-- it inserts, an "all" run's children included, takes it by default.
ALTER TABLE signalroom.runs ADD COLUMN traceparent text
  DEFAULT nullif(current_setting('signalroom.traceparent', true), '')
  CHECK (traceparent IS NULL
         OR traceparent ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');

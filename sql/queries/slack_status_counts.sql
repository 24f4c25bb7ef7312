-- What /signalroom status counts: open anomalies (NULL before their
-- table exists) and dead letters not retried.
SELECT signalroom.slack_open_anomalies()::text,
       (SELECT count(*) FROM signalroom.dead_letters
         WHERE retried_at IS NULL)::text

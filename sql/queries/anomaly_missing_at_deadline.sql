-- $1 the schedules that had not succeeded (comma-separated), $2 the day
-- (the tick's local date), $3 the schedule that ran without them, $4
-- their states, $5 minutes waited.  Critical: Slack and SMS.  Returns the
-- new anomaly's id, NULL when it was raised already.
SELECT signalroom.raise_anomaly(
         'missing_at_deadline', $1::text, '', $2::date, $3::text, NULL, NULL,
         jsonb_build_object('schedule', $3::text, 'states', $4::text,
                            'waited_minutes', $5::integer),
         true, 'Data missing at its deadline',
         $1::text || ' had not succeeded by the deadline of ' || $3::text
         || ' on ' || $2::date || ', after ' || $5::integer
         || ' minutes of waiting (' || $4::text || '); ' || $3::text
         || ' ran without it')

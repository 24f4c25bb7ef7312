-- $1 Slack channel id (NULL: none), $2 and $3 JSON arrays of E.164
-- numbers (alert, report), $4 remind hours, $5 texts after this many
-- consecutive failed runs, $6 and $7 quiet hours from/to (both NULL:
-- none), $8 the time zone they are in.  The one settings row becomes the
-- configuration of the instance that starts last.
UPDATE signalroom.notify_settings
   SET slack_channel = $1::text,
       alert_sms_to = ARRAY(SELECT btrim(x)
                              FROM jsonb_array_elements_text($2::jsonb) x),
       report_sms_to = ARRAY(SELECT btrim(x)
                               FROM jsonb_array_elements_text($3::jsonb) x),
       remind_hours = $4::double precision,
       sms_after_failures = $5::integer,
       quiet_from = $6::smallint,
       quiet_to = $7::smallint,
       timezone = $8::text,
       updated_at = now()

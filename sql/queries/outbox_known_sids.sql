-- The Twilio sids recorded for other texts to the same number since
-- notification $1 was queued: a message found for $1 must be none of them.
SELECT coalesce(jsonb_agg(o.response->>'sid'), '[]'::jsonb)::text
  FROM signalroom.notifications n
  JOIN signalroom.notifications o
    ON o.channel = 'sms' AND o.target = n.target AND o.id <> n.id
   AND o.status = 'sent' AND o.sent_at >= n.created_at
   AND o.response ? 'sid'
 WHERE n.id = $1::bigint

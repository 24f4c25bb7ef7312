-- $1 owner, $2 lease seconds, $3 most rows, $4 channels this instance can
-- send ('{slack,sms,response_url}').  See signalroom.claim_notifications.
SELECT c.id, c.idempotency_key, c.channel, c.target, c.kind,
       c.payload::text, c.attempts, c.max_attempts, c.in_doubt,
       extract(epoch FROM c.created_at)::double precision
  FROM signalroom.claim_notifications($1::text, $2::integer, $3::integer,
                                      $4::text[]) AS c
 ORDER BY c.id

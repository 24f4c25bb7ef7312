-- Keyset page of the outbox, newest first.  $1 cursor (id) or NULL,
-- $2 size, $3 status or NULL, $4 channel or NULL, $5 kind or NULL.
-- A response_url is a credential: it is not shown.
SELECT coalesce(jsonb_agg(jsonb_build_object(
         'id', n.id, 'idempotency_key', n.idempotency_key,
         'channel', n.channel,
         'target', CASE WHEN n.channel = 'response_url' THEN NULL
                        ELSE n.target END,
         'kind', n.kind, 'critical', n.critical, 'status', n.status,
         'attempts', n.attempts, 'max_attempts', n.max_attempts,
         'in_doubt', n.in_doubt, 'run_after', n.run_after,
         'last_error', n.last_error, 'response', n.response,
         'created_at', n.created_at, 'sent_at', n.sent_at)
         ORDER BY n.id DESC), '[]'::jsonb)::text
  FROM (SELECT * FROM signalroom.notifications
         WHERE ($1::bigint IS NULL OR id < $1::bigint)
           AND ($3::text IS NULL OR status = $3::text)
           AND ($4::text IS NULL OR channel = $4::text)
           AND ($5::text IS NULL OR kind = $5::text)
         ORDER BY id DESC LIMIT $2::integer) AS n

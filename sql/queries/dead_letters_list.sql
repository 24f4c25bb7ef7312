-- Keyset page of dead letters, newest first.  $1 cursor or NULL, $2 size.
-- A dead notification has notification_id and no job or run.
SELECT coalesce(jsonb_agg(jsonb_build_object(
         'id', d.id, 'job_id', d.job_id, 'run_id', d.run_id,
         'notification_id', d.notification_id,
         'source', d.source, 'request', d.request, 'error', d.error,
         'response_excerpt', d.response_excerpt, 'attempts', d.attempts,
         'created_at', d.created_at, 'retried_at', d.retried_at,
         'retry_job_id', d.retry_job_id) ORDER BY d.id DESC), '[]'::jsonb)::text
  FROM (SELECT * FROM signalroom.dead_letters
         WHERE ($1::bigint IS NULL OR id < $1::bigint)
         ORDER BY id DESC LIMIT $2::integer) AS d

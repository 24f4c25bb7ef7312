-- Queue one notification through the outbox's one write (0017):
-- $1 key, $2 channel, $3 target, $4 kind, $5 payload, $6 critical.
SELECT signalroom.enqueue_notification($1, $2, $3, $4, $5::jsonb,
                                       $6::boolean)

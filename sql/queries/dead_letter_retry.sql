-- $1 dead letter id.  See signalroom.retry_dead_letter.
SELECT signalroom.retry_dead_letter($1::bigint)

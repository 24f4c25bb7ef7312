-- $1 run.  Returns its status after cancelling (NULL: no such run).
SELECT signalroom.cancel_run($1::bigint)

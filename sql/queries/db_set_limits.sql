-- $1 statement_timeout, $2 lock_timeout, $3
-- idle_in_transaction_session_timeout (milliseconds; 0: none), for the
-- current transaction only: a transaction pooler keeps no session
-- settings, so every transaction carries its own (see db.h).
SELECT set_config('statement_timeout', $1::text, true),
       set_config('lock_timeout', $2::text, true),
       set_config('idle_in_transaction_session_timeout', $3::text, true)

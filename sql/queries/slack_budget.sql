-- The time a slash command may spend inside this transaction ($1 ms),
-- for statements and lock waits alike: past it the command is answered
-- "working on it" and finished by the follow-up thread.
SELECT set_config('statement_timeout', $1, true),
       set_config('lock_timeout', $1, true)

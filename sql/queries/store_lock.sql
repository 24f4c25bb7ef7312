-- $1 a table name.  Serialises writers of one table across instances for
-- the rest of the transaction (window replacements must not interleave).
SELECT pg_advisory_xact_lock(hashtext('signalroom.store:' || $1::text))

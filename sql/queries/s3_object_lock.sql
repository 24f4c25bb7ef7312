-- $1 bucket, $2 key.  One loader per object across all instances, for the
-- rest of the transaction.
SELECT pg_advisory_xact_lock(hashtext('signalroom.s3:' || $1::text || '/' || $2::text))

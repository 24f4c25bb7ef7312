-- $1 bucket, $2 key.  Quarantined rows of a file's earlier version.
DELETE FROM signalroom.s3_quarantine WHERE bucket = $1::text AND key = $2::text

-- $1 bucket, $2 key.  The ETag loaded last, if any (re-read under the lock).
SELECT etag FROM signalroom.s3_objects WHERE bucket = $1::text AND key = $2::text

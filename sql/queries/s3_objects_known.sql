-- $1 bucket, $2 prefix.  Every object loaded before, with its ETag.
SELECT key, etag FROM signalroom.s3_objects
 WHERE bucket = $1::text AND prefix = $2::text

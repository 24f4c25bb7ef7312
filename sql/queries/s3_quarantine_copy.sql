COPY signalroom.s3_quarantine (bucket, key, etag, line, reason, raw)
FROM STDIN (FORMAT binary)

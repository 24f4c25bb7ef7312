-- $1 id, $2 owner, $3 'sent' | 'retry' | 'dead', $4 error or NULL,
-- $5 response JSON or NULL, $6 retry seconds, $7 in doubt.
SELECT signalroom.finish_notification($1::bigint, $2::text, $3::text,
                                      $4::text, $5::jsonb,
                                      $6::double precision, $7::boolean)

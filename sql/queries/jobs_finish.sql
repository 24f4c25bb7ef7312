-- $1 job, $2 owner, $3 outcome, $4 result JSON, $5 error, $6 retry
-- seconds, $7 request JSON, $8 response excerpt.  Returns the new status.
SELECT signalroom.finish_job($1::bigint, $2::text, $3::text, $4::jsonb,
                             $5::text, $6::double precision, $7::jsonb,
                             $8::text)

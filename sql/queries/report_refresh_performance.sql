-- $1 client id, $2..$3 the days a load replaced (NULL, NULL: all days, as
-- after a mapping or internal-affiliate change).  Recomputes the kept
-- performance rows of those days in the caller's transaction.
SELECT reports.refresh_performance($1::text,
                                   coalesce($2::date, '-infinity'),
                                   coalesce($3::date, 'infinity'))

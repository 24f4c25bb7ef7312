-- Conversions that are honest about parallel safety.
--
-- 0006's to_order_time caught bad dates with an EXCEPTION block.  Entering
-- such a block starts a subtransaction, which PostgreSQL forbids inside a
-- parallel operation, yet the function said PARALLEL SAFE: every parallel
-- scan of the typed views and orders_current failed ("cannot start
-- subtransactions during a parallel operation") as soon as the planner knew
-- the tables were large.  These versions validate text with patterns and
-- arithmetic before anything is cast, so nothing can raise, and they are
-- plain SQL expressions the planner inlines into the views (no function
-- call per row).  CASE is used wherever a check must happen before a cast:
-- it is the only construct whose evaluation order SQL guarantees.
--
-- Behaviour is unchanged: a date that is not MM/DD/YYYY or not in the
-- calendar (02/30, 13/01, year 0000) gives NULL; a time that is not
-- "h:mm AM" shaped leaves the date at midnight; a time of that shape out of
-- range (13:00 PM, 9:60 AM, 0:10 AM) gives NULL.

-- true when d is MM/DD/YYYY and a real calendar day (years 0001-9999).
CREATE FUNCTION signalroom.is_us_date(d text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN d ~ '^(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/[0-9]{4}$'
         AND substr(d, 7, 4) <> '0000'
    THEN substr(d, 4, 2)::int <=
         CASE substr(d, 1, 2)::int
           WHEN 2 THEN
             CASE WHEN (substr(d, 7, 4)::int % 4 = 0
                        AND substr(d, 7, 4)::int % 100 <> 0)
                       OR substr(d, 7, 4)::int % 400 = 0
                  THEN 29 ELSE 28 END
           WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30
           ELSE 31
         END
    ELSE false
  END
$$;

-- "MM/DD/YYYY" + "hh:mm AM" -> timestamp (the export's local time), NULL
-- for junk.  Parsed by hand: to_timestamp() depends on the session time
-- zone and raises on bad input, and a view's conversion must do neither.
CREATE OR REPLACE FUNCTION signalroom.to_order_time(d text, t text)
RETURNS timestamp
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN NOT signalroom.is_us_date(d) THEN NULL
    WHEN coalesce(t, '') !~ '^[0-9]{1,2}:[0-9]{2} ?[AaPp][Mm]$' THEN
      make_date(substr(d, 7, 4)::int, substr(d, 1, 2)::int,
                substr(d, 4, 2)::int)::timestamp
    WHEN t ~ '^(0?[1-9]|1[0-2]):[0-5][0-9]' THEN
      make_timestamp(substr(d, 7, 4)::int, substr(d, 1, 2)::int,
                     substr(d, 4, 2)::int,
                     split_part(t, ':', 1)::int % 12
                       + CASE WHEN t ~* 'p' THEN 12 ELSE 0 END,
                     substr(split_part(t, ':', 2), 1, 2)::int, 0)
  END
$$;

-- format() is STABLE, so a function built on it cannot be IMMUTABLE.
ALTER FUNCTION signalroom.export_copy_statement(text, text[])
  STABLE PARALLEL SAFE;

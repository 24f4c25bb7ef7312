-- The data version of one family of report tables ($1), and when it
-- last changed.
SELECT version,
       to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
  FROM signalroom.data_versions
 WHERE area = $1::text

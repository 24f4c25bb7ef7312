-- Replace every redtrack.daily_spend row of one client in [$1, $2] with
-- the rows staged in redtrack_incoming, in one statement (see
-- everflow_replace_window.sql).  $3 is the client id.
WITH gone AS (
  DELETE FROM redtrack.daily_spend t
   WHERE t._client_id = $3::text
     AND t.date BETWEEN $1::date AND $2::date
     -- Hashed NOT IN, as in everflow_replace_window.sql.
     AND (t.date, t.source_id) NOT IN
         (SELECT i.date, i.source_id FROM redtrack_incoming i)
  RETURNING 1
), written AS (
  INSERT INTO redtrack.daily_spend AS t
         (date, source_id, source_name, source_alias, clicks, conversions,
          cost, _client_id, _loaded_at)
  SELECT i.date, i.source_id, i.source_name, i.source_alias, i.clicks,
         i.conversions, i.cost, $3::text, now()
    FROM redtrack_incoming i
  ON CONFLICT (date, source_id) DO UPDATE
     SET source_name = EXCLUDED.source_name,
         source_alias = EXCLUDED.source_alias,
         clicks = EXCLUDED.clicks,
         conversions = EXCLUDED.conversions,
         cost = EXCLUDED.cost,
         _client_id = EXCLUDED._client_id,
         _loaded_at = EXCLUDED._loaded_at
   WHERE (t.source_name, t.source_alias, t.clicks, t.conversions, t.cost,
          t._client_id)
         IS DISTINCT FROM
         (EXCLUDED.source_name, EXCLUDED.source_alias, EXCLUDED.clicks,
          EXCLUDED.conversions, EXCLUDED.cost, EXCLUDED._client_id)
  RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM gone) AS deleted,
       (SELECT count(*) FILTER (WHERE inserted) FROM written) AS inserted,
       (SELECT count(*) FILTER (WHERE NOT inserted) FROM written) AS updated

-- $1 client id, $2 JSON array of labels.  Makes the client's list of
-- internal affiliates exactly these labels (trimmed), in one statement;
-- returns how many labels went or came (costs change only then).
WITH wanted AS (
  SELECT DISTINCT btrim(x) AS label
    FROM jsonb_array_elements_text($2::jsonb) AS x
   WHERE btrim(x) <> ''
), gone AS (
  DELETE FROM signalroom.internal_affiliates t
   WHERE t.client_id = $1::text
     AND t.label NOT IN (SELECT label FROM wanted)
  RETURNING 1
), came AS (
  INSERT INTO signalroom.internal_affiliates (client_id, label)
  SELECT $1::text, label FROM wanted
  ON CONFLICT DO NOTHING
  RETURNING 1
)
SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM came)

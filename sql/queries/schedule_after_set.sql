-- $1 schedule, $2 JSON array of the names it waits for: the whole set,
-- replacing the one before.  Returns the names that are no schedule
-- (comma-separated, '' when none; none of them is added).  Deleting and
-- adding in one statement is safe for the cycle trigger: every removed
-- edge leaves $1, and a cycle through a new edge is found on reaching $1,
-- before any edge leaving it would be followed.
WITH wanted AS (
  SELECT DISTINCT a FROM jsonb_array_elements_text($2::jsonb) AS a
), unknown AS (
  SELECT a FROM wanted
   WHERE NOT EXISTS (SELECT 1 FROM signalroom.schedules s WHERE s.name = a)
), gone AS (
  DELETE FROM signalroom.schedule_after
   WHERE schedule_name = $1::text
     AND after_name NOT IN (SELECT a FROM wanted)
), added AS (
  INSERT INTO signalroom.schedule_after (schedule_name, after_name)
  SELECT $1::text, a FROM wanted
   WHERE a NOT IN (SELECT a FROM unknown)
  ON CONFLICT DO NOTHING
)
SELECT coalesce(string_agg(a, ', ' ORDER BY a), '') FROM unknown

-- $1 anomaly id, $2 who.  Acknowledges an open anomaly; an acknowledged
-- one keeps who and when it was first acknowledged.  No row: no such id.
WITH ack AS (
  UPDATE signalroom.anomalies
     SET status = 'acknowledged', acknowledged_at = now(),
         acknowledged_by = $2::text
   WHERE id = $1::bigint AND status = 'open'
  RETURNING *)
SELECT signalroom.anomaly_json(ROW(ack.*)::signalroom.anomalies)::text
  FROM ack
UNION ALL
SELECT signalroom.anomaly_json(a)::text FROM signalroom.anomalies a
 WHERE a.id = $1::bigint AND NOT EXISTS (SELECT 1 FROM ack)

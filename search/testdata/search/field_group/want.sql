WITH s0 AS (
  SELECT * FROM events WHERE (lower(event_name) = lower(?) OR lower(event_name) = lower(?) OR lower(event_name) = lower(?))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "StopLogging"
-- 2: string "DeleteTrail"
-- 3: string "UpdateTrail"

WITH s0 AS (
  SELECT * FROM events WHERE (activity_id >= ? AND activity_id <= ?)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: int64 1
-- 2: int64 3

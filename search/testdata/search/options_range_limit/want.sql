WITH s0 AS (
  SELECT * FROM events WHERE time >= ? AND time < ? AND lower(event_name) = lower(?)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST LIMIT ?
-- args:
-- 1: time.Time 2024-05-01T00:00:00Z
-- 2: time.Time 2024-05-08T00:00:00Z
-- 3: string "ConsoleLogin"
-- 4: int64 100

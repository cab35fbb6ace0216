WITH s0 AS (
  SELECT * FROM events WHERE ((time >= ? AND time < ?) AND (time > ?) AND (time < ?))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: time.Time 2024-05-01T00:00:00Z
-- 2: time.Time 2024-05-02T00:00:00Z
-- 3: time.Time 2024-05-02T00:00:00Z
-- 4: time.Time 2024-05-03T10:00:00Z

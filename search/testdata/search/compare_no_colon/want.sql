WITH s0 AS (
  SELECT * FROM events WHERE ((activity_id >= ?) AND lower(event_name) = lower(?) AND NOT coalesce(lower(user_name) = lower(?), false))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: int64 2
-- 2: string "ConsoleLogin"
-- 3: string "alice"

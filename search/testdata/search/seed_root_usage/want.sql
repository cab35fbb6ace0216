WITH s0 AS (
  SELECT * FROM events WHERE lower(user_type) = lower(?)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "Root"

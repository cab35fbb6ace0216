WITH s0 AS (
  SELECT * FROM events WHERE lower(event_name) = lower(?)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "ConsoleLogin"

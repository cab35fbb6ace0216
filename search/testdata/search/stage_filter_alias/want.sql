WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT * FROM s0 WHERE (lower(CAST(event_name AS VARCHAR)) = lower(CAST(? AS VARCHAR)))
)
SELECT * FROM s1 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "ConsoleLogin"

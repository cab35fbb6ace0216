WITH s0 AS (
  SELECT * FROM events WHERE lower(event_name) = lower(?)
),
s1 AS (
  SELECT * FROM s0 WHERE (((lower(CAST(user_name AS VARCHAR)) = lower(CAST(? AS VARCHAR))) AND ((time > ?) OR (NOT read_only))) AND (lower(CAST(source_ip AS VARCHAR)) <> lower(CAST(? AS VARCHAR))))
)
SELECT * FROM s1 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "ConsoleLogin"
-- 2: string "alice"
-- 3: time.Time 2024-05-01T00:00:00Z
-- 4: string "10.0.0.1"

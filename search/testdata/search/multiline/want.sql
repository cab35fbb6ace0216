WITH s0 AS (
  SELECT * FROM events WHERE lower(event_name) = lower(?)
),
s1 AS (
  SELECT user_name, count(*) AS "count" FROM s0 GROUP BY 1
),
s2 AS (
  SELECT * FROM s1 ORDER BY "count" DESC NULLS LAST
)
SELECT * FROM s2 ORDER BY "count" DESC NULLS LAST
-- args:
-- 1: string "ConsoleLogin"

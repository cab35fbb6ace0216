WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT user_name, count(*) AS "n" FROM s0 GROUP BY 1
),
s2 AS (
  SELECT * FROM s1 ORDER BY "n" DESC NULLS LAST LIMIT ?
)
SELECT * FROM s2 ORDER BY "n" DESC NULLS LAST
-- args:
-- 1: int64 3

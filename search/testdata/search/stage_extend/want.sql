WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT *, (lower(CAST(status AS VARCHAR)) = lower(CAST(? AS VARCHAR))) AS "failed" FROM s0
),
s2 AS (
  SELECT user_name, count(*) FILTER (WHERE "failed") AS "f", count(*) AS "n" FROM s1 GROUP BY 1
),
s3 AS (
  SELECT *, ((? * "f") / "n") AS "rate" FROM s2
),
s4 AS (
  SELECT * FROM s3 WHERE (("rate" > ?) AND ("n" >= ?))
)
SELECT * FROM s4 ORDER BY user_name ASC NULLS LAST
-- args:
-- 1: string "Failure"
-- 2: float64 100
-- 3: int64 50
-- 4: int64 2

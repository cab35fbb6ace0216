WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT user_name, min(time) AS "first", max(time) AS "last", count(*) AS "n" FROM s0 GROUP BY 1
),
s2 AS (
  SELECT *, ((epoch("last") - epoch("first")) / ?) AS "span_s" FROM s1
),
s3 AS (
  SELECT *, (("n" * ?) - (? % ?)) AS "per" FROM s2
)
SELECT * FROM s3 ORDER BY user_name ASC NULLS LAST
-- args:
-- 1: int64 60
-- 2: int64 2
-- 3: int64 1
-- 4: int64 3

WITH s0 AS (
  SELECT * FROM events WHERE (lower(event_name) = lower(?) AND lower(status) = lower(?))
),
s1 AS (
  SELECT source_ip, count(*) AS "fails", count(DISTINCT user_name) AS "users" FROM s0 GROUP BY 1
),
s2 AS (
  SELECT * FROM s1 WHERE ("fails" > ?)
),
s3 AS (
  SELECT * FROM s2 ORDER BY "fails" DESC NULLS LAST
)
SELECT * FROM s3 ORDER BY "fails" DESC NULLS LAST
-- args:
-- 1: string "ConsoleLogin"
-- 2: string "Failure"
-- 3: int64 10

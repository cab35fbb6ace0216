WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT source_ip, time_bucket(to_microseconds(?), time) AS time, count(*) AS "fails", count(DISTINCT user_name) AS "users" FROM s0 GROUP BY 1, 2
)
SELECT * FROM s1 ORDER BY source_ip ASC NULLS LAST, time ASC NULLS LAST
-- args:
-- 1: int64 3600000000

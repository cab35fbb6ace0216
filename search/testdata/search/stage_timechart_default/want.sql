WITH s0 AS (
  SELECT * FROM events WHERE time >= ? AND time < ?
),
s1 AS (
  SELECT time_bucket(to_microseconds(?), time) AS time, count(DISTINCT user_name) AS "users" FROM s0 GROUP BY 1
)
SELECT * FROM s1 ORDER BY time ASC NULLS LAST
-- args:
-- 1: time.Time 2024-05-01T00:00:00Z
-- 2: time.Time 2024-05-31T00:00:00Z
-- 3: int64 21600000000

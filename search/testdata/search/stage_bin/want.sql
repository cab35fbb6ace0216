WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT * REPLACE (time_bucket(to_microseconds(?), time) AS time) FROM s0
),
s2 AS (
  SELECT time, count(*) AS "count" FROM s1 GROUP BY 1
)
SELECT * FROM s2 ORDER BY time ASC NULLS LAST
-- args:
-- 1: int64 86400000000

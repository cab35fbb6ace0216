WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT time_bucket(to_microseconds(?), time) AS time, event_name, count(*) AS "count" FROM s0 GROUP BY 1, 2
)
SELECT * FROM s1 ORDER BY time ASC NULLS LAST, event_name ASC NULLS LAST
-- args:
-- 1: int64 300000000

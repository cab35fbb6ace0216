WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT *, time_bucket(to_microseconds(?), time) AS "slot" FROM s0
),
s2 AS (
  SELECT "slot", count(*) AS "count" FROM s1 GROUP BY 1
)
SELECT * FROM s2 ORDER BY "slot" ASC NULLS LAST
-- args:
-- 1: int64 900000000

WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT *, hour(time) AS "hour" FROM s0
),
s2 AS (
  SELECT *, coalesce(user_name, invoked_by) AS "who" FROM s1
),
s3 AS (
  SELECT * REPLACE (lower(CAST(user_name AS VARCHAR)) AS user_name) FROM s2
)
SELECT * FROM s3 ORDER BY time DESC NULLS LAST
-- args:

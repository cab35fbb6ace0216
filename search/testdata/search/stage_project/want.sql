WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT time, event_name AS "op", length(CAST(user_name AS VARCHAR)) AS "n" FROM s0
)
SELECT * FROM s1 ORDER BY time DESC NULLS LAST
-- args:

WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT event_name, count(*) AS "count" FROM s0 GROUP BY 1
)
SELECT * FROM s1 ORDER BY event_name ASC NULLS LAST
-- args:

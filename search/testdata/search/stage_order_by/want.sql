WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT * FROM s0 ORDER BY event_name DESC NULLS LAST
)
SELECT * FROM s1 ORDER BY event_name DESC NULLS LAST
-- args:

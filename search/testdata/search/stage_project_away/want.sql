WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT * EXCLUDE (raw) FROM s0
)
SELECT * FROM s1 ORDER BY time DESC NULLS LAST
-- args:

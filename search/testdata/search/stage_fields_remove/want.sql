WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT * EXCLUDE (raw, request_parameters) FROM s0
)
SELECT * FROM s1 ORDER BY time DESC NULLS LAST
-- args:

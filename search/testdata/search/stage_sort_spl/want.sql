WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT * FROM s0 ORDER BY time DESC NULLS LAST, event_name ASC NULLS LAST, user_name ASC NULLS LAST
)
SELECT * FROM s1 ORDER BY time DESC NULLS LAST, event_name ASC NULLS LAST, user_name ASC NULLS LAST
-- args:

WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT DISTINCT user_name, aws_region FROM s0
)
SELECT * FROM s1 ORDER BY user_name ASC NULLS LAST, aws_region ASC NULLS LAST
-- args:

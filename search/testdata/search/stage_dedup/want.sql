WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT * FROM s0 QUALIFY row_number() OVER (PARTITION BY user_name, source_ip ORDER BY time DESC NULLS LAST) <= ?
)
SELECT * FROM s1 ORDER BY time DESC NULLS LAST
-- args:
-- 1: int64 1

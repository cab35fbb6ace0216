WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT * FROM s0 WHERE (json_extract_string(raw, ?) = user_name)
)
SELECT * FROM s1 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "$.\"requestParameters\".\"userName\""

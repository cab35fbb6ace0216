WITH s0 AS (
  SELECT * FROM events WHERE (lower(event_source) = lower(?) AND read_only = ?)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "iam.amazonaws.com"
-- 2: bool false

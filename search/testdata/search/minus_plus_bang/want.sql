WITH s0 AS (
  SELECT * FROM events WHERE (lower(event_source) = lower(?) AND NOT coalesce(lower(error_code) = lower(?), false) AND NOT coalesce(lower(user_name) = lower(?), false))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "s3.amazonaws.com"
-- 2: string "AccessDenied"
-- 3: string "bob"

WITH s0 AS (
  SELECT * FROM events WHERE (lower(error_code) = lower(?) OR error_code ILIKE ? ESCAPE '\')
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "AccessDenied"
-- 2: string "%UnauthorizedOperation"

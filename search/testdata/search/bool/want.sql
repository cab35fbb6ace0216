WITH s0 AS (
  SELECT * FROM events WHERE (read_only = ? AND session_mfa = ?)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: bool false
-- 2: bool true

WITH s0 AS (
  SELECT * FROM events WHERE (user_name ILIKE ? ESCAPE '\' AND user_agent ILIKE ? ESCAPE '\')
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "svc\\_\\%admin%"
-- 2: string "%*literal?%"

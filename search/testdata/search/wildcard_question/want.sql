WITH s0 AS (
  SELECT * FROM events WHERE event_name ILIKE ? ESCAPE '\'
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "Delete____"

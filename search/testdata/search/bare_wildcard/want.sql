WITH s0 AS (
  SELECT * FROM events WHERE (raw ILIKE ? ESCAPE '\' AND raw ILIKE ? ESCAPE '\')
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "%admin%%"
-- 2: string "%100\\%%"

WITH s0 AS (
  SELECT * FROM events WHERE NOT coalesce((error_code IS NOT NULL AND error_code <> ''), false)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:

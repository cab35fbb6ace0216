WITH s0 AS (
  SELECT * FROM events WHERE (error_code IS NOT NULL AND error_code <> '')
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:

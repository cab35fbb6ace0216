WITH s0 AS (
  SELECT * FROM events WHERE ((error_code IS NOT NULL AND error_code <> '') AND (user_agent IS NOT NULL AND user_agent <> '') AND read_only IS NOT NULL AND activity_id IS NOT NULL)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:

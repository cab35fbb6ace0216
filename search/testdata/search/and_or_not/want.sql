WITH s0 AS (
  SELECT * FROM events WHERE ((lower(event_name) = lower(?) OR lower(event_name) = lower(?)) AND NOT coalesce(user_name ILIKE ? ESCAPE '\', false))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "CreateUser"
-- 2: string "DeleteUser"
-- 3: string "terraform%"

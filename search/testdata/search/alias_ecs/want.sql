WITH s0 AS (
  SELECT * FROM events WHERE (lower(event_name) = lower(?) AND lower(source_ip) = lower(?) AND lower(user_name) = lower(?) AND lower(status) = lower(?) AND (time >= ? AND time < ?))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "CreateUser"
-- 2: string "10.1.2.3"
-- 3: string "alice"
-- 4: string "failure"
-- 5: time.Time 2024-05-01T00:00:00Z
-- 6: time.Time 2024-05-02T00:00:00Z

WITH s0 AS (
  SELECT * FROM events WHERE (lower(event_name) = lower(?) AND lower(source_ip) = lower(?) AND lower(user_name) = lower(?) AND lower(aws_region) = lower(?))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "CreateUser"
-- 2: string "10.1.2.3"
-- 3: string "alice"
-- 4: string "us-east-1"

WITH s0 AS (
  SELECT * FROM events WHERE ((activity_id >= ?) AND (activity_id < ?) AND (class_uid > ?) AND (type_uid <= ?))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: int64 2
-- 2: int64 4
-- 3: int64 6000
-- 4: int64 600399

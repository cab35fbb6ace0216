WITH s0 AS (
  SELECT * FROM events WHERE (raw ILIKE ? ESCAPE '\' AND raw ILIKE ? ESCAPE '\' AND regexp_matches(raw, ?))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "%mallory%"
-- 2: string "%main trail%"
-- 3: string "ami-[0-9]+"

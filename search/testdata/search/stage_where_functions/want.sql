WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT * FROM s0 WHERE (((((((contains(lower(CAST(user_agent AS VARCHAR)), lower(CAST(? AS VARCHAR))) AND (length(CAST(event_name AS VARCHAR)) > ?)) AND starts_with(lower(CAST(event_name AS VARCHAR)), lower(CAST(? AS VARCHAR)))) OR (lower(CAST(user_name AS VARCHAR)) IN (lower(?), lower(?)))) OR (NOT coalesce(lower(CAST(event_name AS VARCHAR)) IN (lower(?)), false))) OR coalesce((list_transform([source_ip], h -> CASE WHEN regexp_full_match(h, '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}') THEN list_reduce(list_transform(string_split(h, '.'), o -> CAST(o AS BIGINT)), (a, b) -> a * 256 + b) END)[1] BETWEEN ? AND ?), false)) OR (time > ?)) OR (CASE WHEN (error_code IS NULL) THEN ? ELSE ? END = ?))
)
SELECT * FROM s1 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "cli"
-- 2: int64 5
-- 3: string "Get"
-- 4: string "a"
-- 5: string "b"
-- 6: string "X"
-- 7: int64 167772160
-- 8: int64 184549375
-- 9: time.Time 2024-05-31T00:00:00Z
-- 10: int64 1
-- 11: int64 0
-- 12: int64 1

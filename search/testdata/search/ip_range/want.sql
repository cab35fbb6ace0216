WITH s0 AS (
  SELECT * FROM events WHERE (list_transform([source_ip], h -> CASE WHEN regexp_full_match(h, '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}') THEN list_reduce(list_transform(string_split(h, '.'), o -> CAST(o AS BIGINT)), (a, b) -> a * 256 + b) END)[1] >= ? AND list_transform([source_ip], h -> CASE WHEN regexp_full_match(h, '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}') THEN list_reduce(list_transform(string_split(h, '.'), o -> CAST(o AS BIGINT)), (a, b) -> a * 256 + b) END)[1] <= ?)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: int64 167772160
-- 2: int64 184549375

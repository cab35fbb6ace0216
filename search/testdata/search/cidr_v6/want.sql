WITH s0 AS (
  SELECT * FROM events WHERE (list_transform([lower(source_ip)], h -> CASE WHEN regexp_full_match(h, '[0-9a-f:]{2,39}') AND NOT contains(h, ':::') THEN list_transform([string_split(h, '::')], p -> CASE WHEN len(p) = 1 THEN list_transform([string_split(h, ':')], gs -> CASE WHEN len(gs) = 8 AND list_bool_and(list_transform(gs, g -> length(g) BETWEEN 1 AND 4)) THEN array_to_string(list_transform(gs, g -> lpad(g, 4, '0')), '') END)[1] WHEN len(p) = 2 THEN list_transform([CASE WHEN p[1] = '' THEN []::VARCHAR[] ELSE string_split(p[1], ':') END || ['*'] || CASE WHEN p[2] = '' THEN []::VARCHAR[] ELSE string_split(p[2], ':') END], gs -> CASE WHEN len(gs) <= 8 AND list_bool_and(list_transform(gs, g -> length(g) BETWEEN 1 AND 4)) THEN array_to_string(list_transform(gs, g -> CASE WHEN g = '*' THEN repeat('0000', 9 - len(gs)) ELSE lpad(g, 4, '0') END), '') END)[1] END)[1] END)[1] BETWEEN ? AND ?)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "20010db8000000000000000000000000"
-- 2: string "20010db8ffffffffffffffffffffffff"

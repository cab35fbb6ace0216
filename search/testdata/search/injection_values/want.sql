WITH s0 AS (
  SELECT * FROM events WHERE (lower(user_agent) = lower(?) AND lower(error_message) = lower(?) AND len(list_filter(list_transform(flatten(list_transform(flatten(list_transform([json_extract(raw, ?)], x -> CASE WHEN json_type(x) = 'ARRAY' THEN list_transform(json_extract(x, '$[*]'), y -> json_extract(y, ?)) ELSE [json_extract(x, ?)] END)), x -> CASE WHEN json_type(x) = 'ARRAY' THEN json_extract(x, '$[*]') ELSE [x] END)), x -> json_extract_string(x, '$')), s -> lower(s) = lower(?))) > 0 AND raw ILIKE ? ESCAPE '\')
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "'; DROP TABLE events; --"
-- 2: string "a\"b"
-- 3: string "$.\"requestParameters\""
-- 4: string "$.\"x\""
-- 5: string "$.\"x\""
-- 6: string "/* comment */"
-- 7: string "%ü☃'%"

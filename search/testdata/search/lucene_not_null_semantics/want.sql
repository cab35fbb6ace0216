WITH s0 AS (
  SELECT * FROM events WHERE NOT coalesce((lower(user_name) = lower(?) OR len(list_filter(list_transform(flatten(list_transform(flatten(list_transform([json_extract(raw, ?)], x -> CASE WHEN json_type(x) = 'ARRAY' THEN list_transform(json_extract(x, '$[*]'), y -> json_extract(y, ?)) ELSE [json_extract(x, ?)] END)), x -> CASE WHEN json_type(x) = 'ARRAY' THEN json_extract(x, '$[*]') ELSE [x] END)), x -> json_extract_string(x, '$')), s -> lower(s) = lower(?))) > 0), false)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "alice"
-- 2: string "$.\"requestParameters\""
-- 3: string "$.\"bucketName\""
-- 4: string "$.\"bucketName\""
-- 5: string "payroll"

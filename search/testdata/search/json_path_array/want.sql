WITH s0 AS (
  SELECT * FROM events WHERE len(list_filter(list_transform(flatten(list_transform(flatten(list_transform(flatten(list_transform(flatten(list_transform([json_extract(raw, ?)], x -> CASE WHEN json_type(x) = 'ARRAY' THEN list_transform(json_extract(x, '$[*]'), y -> json_extract(y, ?)) ELSE [json_extract(x, ?)] END)), x -> CASE WHEN json_type(x) = 'ARRAY' THEN list_transform(json_extract(x, '$[*]'), y -> json_extract(y, ?)) ELSE [json_extract(x, ?)] END)), x -> CASE WHEN json_type(x) = 'ARRAY' THEN list_transform(json_extract(x, '$[*]'), y -> json_extract(y, ?)) ELSE [json_extract(x, ?)] END)), x -> CASE WHEN json_type(x) = 'ARRAY' THEN json_extract(x, '$[*]') ELSE [x] END)), x -> json_extract_string(x, '$')), s -> lower(s) = lower(?))) > 0
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "$.\"requestParameters\""
-- 2: string "$.\"instancesSet\""
-- 3: string "$.\"instancesSet\""
-- 4: string "$.\"items\""
-- 5: string "$.\"items\""
-- 6: string "$.\"imageId\""
-- 7: string "$.\"imageId\""
-- 8: string "ami-0002"

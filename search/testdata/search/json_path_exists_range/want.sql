WITH s0 AS (
  SELECT * FROM events WHERE (len(list_filter(list_transform(flatten(list_transform(flatten(list_transform(flatten(list_transform([json_extract(raw, ?)], x -> CASE WHEN json_type(x) = 'ARRAY' THEN list_transform(json_extract(x, '$[*]'), y -> json_extract(y, ?)) ELSE [json_extract(x, ?)] END)), x -> CASE WHEN json_type(x) = 'ARRAY' THEN list_transform(json_extract(x, '$[*]'), y -> json_extract(y, ?)) ELSE [json_extract(x, ?)] END)), x -> CASE WHEN json_type(x) = 'ARRAY' THEN json_extract(x, '$[*]') ELSE [x] END)), x -> json_extract_string(x, '$')), s -> s <> '')) > 0 AND len(list_filter(list_transform(flatten(list_transform(flatten(list_transform([json_extract(raw, ?)], x -> CASE WHEN json_type(x) = 'ARRAY' THEN list_transform(json_extract(x, '$[*]'), y -> json_extract(y, ?)) ELSE [json_extract(x, ?)] END)), x -> CASE WHEN json_type(x) = 'ARRAY' THEN json_extract(x, '$[*]') ELSE [x] END)), x -> json_extract_string(x, '$')), s -> (TRY_CAST(s AS DOUBLE) >= ? AND TRY_CAST(s AS DOUBLE) <= ?))) > 0)
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "$.\"responseElements\""
-- 2: string "$.\"accessKey\""
-- 3: string "$.\"accessKey\""
-- 4: string "$.\"userName\""
-- 5: string "$.\"userName\""
-- 6: string "$.\"requestParameters\""
-- 7: string "$.\"minCount\""
-- 8: string "$.\"minCount\""
-- 9: float64 1
-- 10: float64 5

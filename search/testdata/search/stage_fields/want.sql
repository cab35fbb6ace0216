WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT time, event_name, source_ip, json_extract_string(raw, ?) AS "requestParameters.bucketName" FROM s0
)
SELECT * FROM s1 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "$.\"requestParameters\".\"bucketName\""

WITH s0 AS (
  SELECT * FROM events WHERE (lower(source) = lower(?) AND lower(event_source) = lower(?) AND lower(aws_region) = lower(?) AND user_arn ILIKE ? ESCAPE '\' AND lower(error_code) = lower(?))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "aws.cloudtrail"
-- 2: string "iam.amazonaws.com"
-- 3: string "us-east-1"
-- 4: string "%root"
-- 5: string "AccessDenied"

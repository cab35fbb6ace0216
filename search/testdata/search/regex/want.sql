WITH s0 AS (
  SELECT * FROM events WHERE (regexp_matches(user_agent, ?) AND regexp_matches(user_name, ?))
)
SELECT * FROM s0 ORDER BY time DESC NULLS LAST
-- args:
-- 1: string "aws-cli/2\\.[0-9]+"
-- 2: string "^(alice|bob)$"

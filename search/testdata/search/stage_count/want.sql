WITH s0 AS (
  SELECT * FROM events WHERE (error_code IS NOT NULL AND error_code <> '')
),
s1 AS (
  SELECT count(*) AS "count" FROM s0
)
SELECT * FROM s1
-- args:

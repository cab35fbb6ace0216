WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT user_name, event_name FROM s0
),
s2 AS (
  SELECT user_name, event_name, count(*) AS "count", round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY user_name), 2) AS "percent" FROM s1 WHERE event_name IS NOT NULL GROUP BY 1, 2 QUALIFY row_number() OVER (PARTITION BY user_name ORDER BY count(*) DESC, event_name) <= ?
)
SELECT * FROM s2 ORDER BY user_name ASC NULLS LAST, "count" DESC NULLS LAST, event_name ASC NULLS LAST
-- args:
-- 1: int64 3

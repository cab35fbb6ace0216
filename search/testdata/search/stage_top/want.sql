WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT event_name FROM s0
),
s2 AS (
  SELECT event_name, count(*) AS "count", round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS "percent" FROM s1 WHERE event_name IS NOT NULL GROUP BY 1 QUALIFY row_number() OVER ( ORDER BY count(*) DESC, event_name) <= ?
)
SELECT * FROM s2 ORDER BY "count" DESC NULLS LAST, event_name ASC NULLS LAST
-- args:
-- 1: int64 5

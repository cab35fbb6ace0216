WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT aws_region FROM s0
),
s2 AS (
  SELECT aws_region, count(*) AS "count", round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS "percent" FROM s1 WHERE aws_region IS NOT NULL GROUP BY 1 QUALIFY row_number() OVER ( ORDER BY count(*) ASC, aws_region) <= ?
)
SELECT * FROM s2 ORDER BY "count" ASC NULLS LAST, aws_region ASC NULLS LAST
-- args:
-- 1: int64 10

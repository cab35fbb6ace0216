WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT user_arn, event_source, count(*) AS "count", count(error_code) AS "count_error_code", count(*) FILTER (WHERE (lower(CAST(status AS VARCHAR)) = lower(CAST(? AS VARCHAR)))) AS "failures", count(DISTINCT user_name) AS "dcount_user_name", min(time) AS "min_time", max(time) AS "max_time", sum(activity_id) AS "sum_activity_id", avg(activity_id) AS "avg_activity_id", median(activity_id) AS "median_activity_id", list_sort(list_filter(list(DISTINCT aws_region), v -> v IS NOT NULL)) AS "values_aws_region", list_filter(list(event_id), v -> v IS NOT NULL) AS "list_event_id", list_transform(list_slice(list_reverse_sort(list_transform(map_entries(histogram(event_name)), e -> {'n': e.value, 'v': e.key})), 1, ?), e -> e.v) AS "top_event_name", arg_min(event_name, time) AS "earliest_event_name", arg_max(event_name, time) AS "latest_event_name", stddev_samp(activity_id) AS "stdev_activity_id" FROM s0 GROUP BY 1, 2
)
SELECT * FROM s1 ORDER BY user_arn ASC NULLS LAST, event_source ASC NULLS LAST
-- args:
-- 1: string "Failure"
-- 2: int64 3

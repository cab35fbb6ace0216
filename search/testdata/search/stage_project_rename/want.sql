WITH s0 AS (
  SELECT * FROM events
),
s1 AS (
  SELECT time, source, event_id, event_name AS "op", event_source, event_type, read_only, account_id, aws_region, user_type, user_arn, user_name, user_principal_id, access_key_id, session_issuer_arn, session_mfa, invoked_by, source_ip, user_agent, error_code, error_message, status, level, class_uid, activity_id, type_uid, request_parameters, response_elements, additional_event_data, resources, raw, s3_bucket, s3_key, record_index, ingested_at, dst_ip, src_port, dst_port, protocol, bytes, packets, action, direction, traffic_path, vpc_id, subnet_id, instance_id, interface_id, log_status, start_time, end_time, query_name, query_type, query_class, rcode, answers, cluster, namespace, component, log_group, log_stream, service, trace_id, pod, container, host, message, http_method, url, http_status, organization_id FROM s0
),
s2 AS (
  SELECT * FROM s1 ORDER BY "op" ASC NULLS LAST
)
SELECT * FROM s2 ORDER BY "op" ASC NULLS LAST
-- args:

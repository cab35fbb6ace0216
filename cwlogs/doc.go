// Package cwlogs decodes CloudWatch Logs subscription payloads: the
// "awslogs" messages a subscription filter sends to Firehose, Kinesis or
// Lambda,
//
//	{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"…",
//	 "logStream":"…","subscriptionFilters":["…"],
//	 "logEvents":[{"id":"…","timestamp":1700000000000,"message":"…"}]}
//
// gzip-compressed (and base64-encoded on the wire). Firehose delivers the
// records to S3 back to back: an object is a run of gzip members (the
// pipeline's gzip reader reads them as one stream) or of JSON messages,
// possibly newline-separated, possibly gzip-compressed once more by
// Firehose. The Lambda envelope {"awslogs":{"data":"H4sI…"}} and bare
// base64 payloads are decoded too. DecodeRecord decodes one Firehose
// record's data for the push endpoints.
//
// CONTROL_MESSAGEs (CloudWatch's reachability checks) are skipped and
// counted (Counts.Control), never stored and never an error.
//
// Each log event becomes one cairn.Event, routed by log group:
//
//   - /aws/eks/<cluster>/cluster, streams kube-apiserver-audit-*: the
//     message is a Kubernetes audit event (audit.k8s.io/v1), normalized to
//     OCSF API Activity (6003) with source "aws.eks.audit": event_name is
//     "<verb> <resource>[/<subresource>]" ("create pods/exec", "list
//     secrets"; the bare verb for non-resource URLs), event_source
//     "kube-apiserver", event_type the audit stage, user_name,
//     user_arn/access_key_id/user_principal_id from the EKS user.extra,
//     source_ip (first of sourceIPs), user_agent, status Success below
//     HTTP 400 and Failure from 400 (error_code the HTTP code, error_message
//     responseStatus.message or reason), activity_id from the verb
//     (create 1; get/list/watch 2, read_only; update/patch 3;
//     delete/deletecollection 4; others 99), level ERROR on failure, WARN
//     for deletions, else INFO; namespace and url (requestURI) fill their
//     columns. event_id is the auditID, suffixed "/<stage>" for stages
//     other than ResponseComplete (one request may log several stages).
//     Other fields are searchable from raw (user.groups, objectRef.name,
//     annotations…).
//   - /aws/eks/<cluster>/cluster, other streams (kube-apiserver-*,
//     authenticator-*, kube-controller-manager-*, kube-scheduler-*,
//     cloud-controller-manager-*): text lines with source "aws.eks",
//     cluster and component (the stream name without its hash), level from
//     the klog header (I/W/E/F).
//   - a message that is a CloudTrail record (a trail sending its events to
//     CloudWatch Logs), in any log group but an EKS cluster's: normalized by
//     the cloudtrail package, source "aws.cloudtrail", with the record's
//     eventID as event_id (so it is de-duplicated against the same record
//     from the trail's bucket) and log_group/log_stream. A message the
//     CloudTrail decoder refuses stays a log line.
//   - any other log group: source "aws.cloudwatch_logs", log_group,
//     log_stream, level guessed from the line.
//
// Every other event has account_id (the owner), log_group, log_stream,
// time (the audit event's requestReceivedTimestamp, else the CloudWatch
// timestamp) and raw, the message as received. Events that are not audit events have
// event_id "cwl:<log group>:<CloudWatch event id>": CloudWatch ids are
// unique within a log group, so a redelivered payload is de-duplicated.
// record_index counts log events (and rejected messages) across the
// object.
//
// A payload that is not JSON, or JSON that is not a subscription message,
// is refused as corrupt when it starts the object (so a file of another
// format is never stored as logs), and quarantined from its byte offset
// when it comes later. A message larger than MaxMessageBytes is refused.
package cwlogs

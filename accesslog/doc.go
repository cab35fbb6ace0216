// Package accesslog decodes HTTP access logs AWS writes to S3: S3 server
// access logs (S3Decoder) and Application Load Balancer access logs
// (ALBDecoder), one event per line, streamed.
//
// S3 server access logs (source "aws.s3access", OCSF API Activity 6003,
// like CloudTrail's S3 data events): time, event_name the operation
// (REST.GET.OBJECT), event_source s3.amazonaws.com, source_ip
// (remote IP), user_arn (requester, when an ARN; user_name its last
// part; user_principal_id otherwise), http_method and url (from the
// Request-URI), http_status, error_code, bytes (bytes sent), user_agent,
// access_key_id-free (the log has none); status Success below HTTP 400;
// activity_id from the method (GET/HEAD 2 Read, PUT/POST/COPY 1 Create,
// DELETE 4, else 99); read_only for GET and HEAD; level ERROR with an
// error code.
//
// ALB access logs (source "aws.alb", OCSF HTTP Activity 4002): time (the
// request's completion), event_name the HTTP method, event_source the load
// balancer (app/<name>/<id>), source_ip/src_port (client),
// dst_ip/dst_port (target), http_method, url, http_status (the ELB's
// status code), bytes (received + sent), user_agent, trace_id
// (X-Amzn-Trace-Id), action (actions_executed), error_code (error_reason,
// else the status code from 400); activity_id from the method (OCSF HTTP
// Activity: CONNECT 1, DELETE 2, GET 3, HEAD 4, OPTIONS 5, POST 6, PUT 7,
// TRACE 8, else 99); level ERROR from 500, WARN from 400.
//
// raw is the line as received. event_id is the first 128 bits of
// sha256(line) in hex: a line delivered twice is stored once (S3 logs
// several lines with one request ID for one request, so the request ID
// cannot be the key). A line that does not parse is rejected on its own;
// an object whose first line is not of the format is refused as corrupt.
package accesslog

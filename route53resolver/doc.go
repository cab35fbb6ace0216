// Package route53resolver decodes Route 53 Resolver query logs as
// delivered to S3: JSON lines, one DNS query per line.
//
// Each query becomes a cairn.Event of the OCSF DNS Activity class (4003)
// with source "aws.route53resolver" and activity 6 (Traffic: the record
// holds the query and its response). query_name/query_type/query_class,
// rcode, answers (the JSON array; a lone answer object is wrapped in an
// array), source_ip/src_port (the client), protocol (17 for UDP, 6 for
// TCP), vpc_id, instance_id (srcids.instance; a query that came through an
// inbound Resolver endpoint has interface_id = srcids.resolver_endpoint
// instead) and action (the DNS Firewall rule action) fill their columns.
// status is Success when rcode is NOERROR and the firewall did not block
// the query, Failure otherwise; level is WARN when a firewall rule blocked
// or alerted. time is query_timestamp (RFC 3339,
// or "2006-01-02 15:04:05" UTC). raw is the line as received.
//
// event_id is the first 128 bits of sha256(key, record index, line) in
// hex: stable across deliveries of the same object, distinct per record.
//
// The decoder streams one line at a time. A line that is not a JSON object
// with a query_name and a valid query_timestamp is rejected on its own; a
// file whose first line is not such an object is refused as corrupt, so
// that a file of another format is never stored as DNS queries.
package route53resolver

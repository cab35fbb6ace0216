// Package push receives events pushed over HTTP and commits them to the
// store before answering:
//
//   - Kinesis Data Firehose HTTP endpoint delivery (POST /firehose/cwlogs
//     for CloudWatch Logs subscription payloads, POST /firehose/raw for
//     raw lines), authenticated by X-Amz-Firehose-Access-Key and answered
//     in Firehose's own response format;
//   - JSON batches of log entries (POST /v1/logs) in the shape of the
//     Qorrelate forwarder, authenticated by a bearer token.
//
// A request is all or nothing: its events, its quarantined records and its
// entry in the push_requests ledger commit in one transaction, and only
// then is 200 returned. A retry of a committed request (same Firehose
// request ID, same /v1/logs batch) stores nothing and is answered 200.
// Bodies are limited before and after decompression.
package push

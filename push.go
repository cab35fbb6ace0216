package cairn

import "time"

// PushRequest is the ledger entry of a batch pushed to an HTTP endpoint
// (a Firehose delivery, a /v1/logs batch), written in the same
// transaction as its events. Its presence means the request is done: a
// retry with the same ID stores nothing and is answered as a success.
type PushRequest struct {
	Endpoint       string    // the endpoint path, e.g. /firehose/cwlogs
	RequestID      string    // X-Amz-Firehose-Request-Id, or the batch's hash
	OrganizationID string    // X-Organization-Id, when given
	Records        int64     // records in the request
	Events         int64     // events decoded from them
	Errors         int64     // records quarantined in ingest_errors
	Bytes          int64     // request body bytes as received
	RawBytes       int64     // after decompression
	Time           time.Time // the request's own timestamp, when it has one
}

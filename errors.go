package cairn

import (
	"errors"
	"fmt"
)

// Error classes. Adapters wrap their errors so that the pipeline can decide
// with errors.Is whether to retry soon, back off, or leave a message for its
// dead-letter queue. None of them ever causes a message to be deleted.
var (
	// ErrNotFound: the object does not exist (deleted, wrong key).
	ErrNotFound = errors.New("object not found")
	// ErrAccessDenied: S3 refused the read (bucket policy, IAM).
	ErrAccessDenied = errors.New("access denied by S3")
	// ErrKMSAccessDenied: the object is SSE-KMS encrypted and the key
	// policy or IAM does not grant kms:Decrypt.
	ErrKMSAccessDenied = errors.New("access denied by KMS (kms:Decrypt)")
	// ErrCorrupt: the object's bytes cannot be decoded (bad gzip, not JSON,
	// no Records array).
	ErrCorrupt = errors.New("corrupt object")
	// ErrThrottled: the service asked us to slow down.
	ErrThrottled = errors.New("throttled")
	// ErrUnknownNotification: an SQS message body of a shape Cairn does not
	// know. It is left on the queue so the redrive policy moves it to the DLQ.
	ErrUnknownNotification = errors.New("unknown notification shape")
)

// Reason maps an error to the short reason stored in ingest_errors and used
// as a metric label.
func Reason(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrKMSAccessDenied):
		return "kms_access_denied"
	case errors.Is(err, ErrAccessDenied):
		return "access_denied"
	case errors.Is(err, ErrCorrupt):
		return "corrupt"
	case errors.Is(err, ErrThrottled):
		return "throttled"
	case errors.Is(err, ErrUnknownNotification):
		return "unknown_notification"
	default:
		return "other"
	}
}

// Corruptf returns an error wrapping ErrCorrupt.
func Corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

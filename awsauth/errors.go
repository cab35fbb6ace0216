package awsauth

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/cairn-sec/cairn"
)

// Classify wraps an AWS error with the cairn error class it belongs to,
// keeping the original for the message.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err
	}
	code := ae.ErrorCode()
	msg := strings.ToLower(ae.ErrorMessage())
	switch {
	case code == "NoSuchKey" || code == "NotFound" || code == "NoSuchBucket" || code == "NoSuchVersion":
		return fmt.Errorf("%w: %w", cairn.ErrNotFound, err)
	case strings.HasPrefix(code, "KMS.") || (code == "AccessDenied" && strings.Contains(msg, "kms")):
		return fmt.Errorf("%w: %w", cairn.ErrKMSAccessDenied, err)
	case code == "AccessDenied" || code == "Forbidden" || code == "AccessDeniedException":
		return fmt.Errorf("%w: %w", cairn.ErrAccessDenied, err)
	case code == "SlowDown" || code == "Throttling" || code == "ThrottlingException" || code == "RequestThrottled" ||
		code == "OverLimit" || code == "RequestLimitExceeded" || code == "TooManyRequestsException":
		return fmt.Errorf("%w: %w", cairn.ErrThrottled, err)
	}
	return err
}

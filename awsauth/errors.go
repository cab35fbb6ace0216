package awsauth

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
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
	switch {
	case isThrottle(code):
		// Before the KMS case: KMS throttling S3's decrypt is not a denial.
		return fmt.Errorf("%w: %w", cairn.ErrThrottled, err)
	case code == "NoSuchKey" || code == "NotFound" || code == "NoSuchBucket" || code == "NoSuchVersion":
		return fmt.Errorf("%w: %w", cairn.ErrNotFound, err)
	case strings.HasPrefix(code, "KMS."):
		return fmt.Errorf("%w: %w", cairn.ErrKMSAccessDenied, err)
	case code == "AccessDenied" || code == "Forbidden" || code == "AccessDeniedException" || code == "AllAccessDisabled" ||
		code == "AuthorizationError": // SNS
		if mentionsKMS(ae.ErrorMessage()) {
			return fmt.Errorf("%w: %w", cairn.ErrKMSAccessDenied, err)
		}
		return fmt.Errorf("%w: %w", cairn.ErrAccessDenied, err)
	}
	return err
}

func isThrottle(code string) bool {
	code = strings.TrimPrefix(code, "KMS.")
	if _, ok := retry.DefaultThrottleErrorCodes[code]; ok {
		return true
	}
	switch code {
	case "OverLimit", "KMSThrottlingException", "AWS.SimpleQueueService.RequestThrottled":
		return true
	}
	return false
}

// mentionsKMS reports whether an access-denied message is about the KMS key
// rather than the object. S3 words it as "… is not authorized to perform:
// kms:Decrypt on resource: arn:aws:kms:…" or "The ciphertext refers to a
// customer master key that does not exist, does not exist in this region,
// or you are not allowed to access." A bare "kms" substring is not enough:
// it also matches principal names such as role/kmsadmin in a plain S3
// denial.
func mentionsKMS(msg string) bool {
	msg = strings.ToLower(msg)
	for _, s := range []string{"kms:", "kms key", "ciphertext", "customer master key"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

package awsauth_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/awsauth"
)

func TestClassify(t *testing.T) {
	classes := []error{cairn.ErrNotFound, cairn.ErrAccessDenied, cairn.ErrKMSAccessDenied, cairn.ErrThrottled}
	tests := []struct {
		code, msg string
		want      error // nil: left unclassified
	}{
		{"NoSuchKey", "The specified key does not exist.", cairn.ErrNotFound},
		{"NotFound", "Not Found", cairn.ErrNotFound},
		{"NoSuchBucket", "The specified bucket does not exist", cairn.ErrNotFound},
		{"NoSuchVersion", "The specified version does not exist.", cairn.ErrNotFound},
		{"AccessDenied", "Access Denied", cairn.ErrAccessDenied},
		{"AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/cairn/cairn is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::trail/AWSLogs/x.json.gz\" because no identity-based policy allows the s3:GetObject action", cairn.ErrAccessDenied},
		// A principal whose name contains "kms" is not a KMS denial.
		{"AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/kmsadmin/cairn is not authorized to perform: s3:GetObject", cairn.ErrAccessDenied},
		{"Forbidden", "Forbidden", cairn.ErrAccessDenied},
		{"AccessDeniedException", "not authorized to perform sqs:ReceiveMessage", cairn.ErrAccessDenied},
		{"AllAccessDisabled", "All access to this object has been disabled", cairn.ErrAccessDenied},
		{"AuthorizationError", "User is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:1:t", cairn.ErrAccessDenied},
		{"AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/cairn/cairn is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action", cairn.ErrKMSAccessDenied},
		{"AccessDenied", "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.", cairn.ErrKMSAccessDenied},
		{"AccessDeniedException", "User is not authorized to perform: kms:Decrypt", cairn.ErrKMSAccessDenied},
		{"KMS.DisabledException", "arn:aws:kms:us-east-1:123456789012:key/1234abcd is disabled.", cairn.ErrKMSAccessDenied},
		{"KMS.NotFoundException", "Invalid keyId 1234abcd", cairn.ErrKMSAccessDenied},
		{"KMS.KMSInvalidStateException", "key is pending deletion", cairn.ErrKMSAccessDenied},
		{"SlowDown", "Please reduce your request rate.", cairn.ErrThrottled},
		{"ThrottlingException", "Rate exceeded", cairn.ErrThrottled},
		{"Throttling", "Rate exceeded", cairn.ErrThrottled},
		{"RequestThrottled", "Request is throttled.", cairn.ErrThrottled},
		{"TooManyRequestsException", "Too many requests", cairn.ErrThrottled},
		// KMS throttling S3's decrypt is throttling, not a denial.
		{"KMS.ThrottlingException", "You have exceeded the rate at which you may call KMS.", cairn.ErrThrottled},
		{"InternalError", "We encountered an internal error. Please try again.", nil},
		{"InvalidArgument", "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.", nil},
		{"SomethingNew", "kms:Decrypt mentioned but not a denial code", nil},
	}
	for _, tt := range tests {
		name := tt.code + "/" + tt.msg
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			orig := &smithy.GenericAPIError{Code: tt.code, Message: tt.msg, Fault: smithy.FaultClient}
			// As the SDK returns it: wrapped in an operation error.
			wrapped := &smithy.OperationError{ServiceID: "S3", OperationName: "GetObject", Err: fmt.Errorf("https response error StatusCode: 403, RequestID: R1, %w", orig)}
			got := awsauth.Classify(wrapped)
			for _, class := range classes {
				if want := class == tt.want; errors.Is(got, class) != want {
					t.Errorf("errors.Is(%v, %v) = %v, want %v", got, class, !want, want)
				}
			}
			if !strings.Contains(got.Error(), wrapped.Error()) {
				t.Errorf("Classify lost the original text: %q does not contain %q", got, wrapped)
			}
			var ae smithy.APIError
			if !errors.As(got, &ae) || ae.ErrorCode() != tt.code {
				t.Errorf("Classify lost the API error: %v", got)
			}
			if tt.want != nil && cairn.Reason(got) == "other" {
				t.Errorf("Reason(%v) = other", got)
			}
		})
	}
}

func TestClassifyPassThrough(t *testing.T) {
	if awsauth.Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
	plain := errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	if got := awsauth.Classify(plain); got != plain {
		t.Errorf("Classify(non-API error) = %v, want it unchanged", got)
	}
}

func TestClassifyKeepsSecretsOut(t *testing.T) {
	// Classify adds only the class's fixed text; whatever it is given, it
	// adds nothing that could carry credentials.
	err := &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}
	got := awsauth.Classify(err).Error()
	if want := cairn.ErrAccessDenied.Error() + ": " + err.Error(); got != want {
		t.Errorf("Classify text = %q, want %q", got, want)
	}
	if strings.Contains(got, baseSecret) {
		t.Errorf("leaks secret: %q", got)
	}
}

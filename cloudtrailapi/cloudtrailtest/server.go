// Package cloudtrailtest is the CloudTrail test double under its old name:
// the double now lives in package awstest (awstest.CloudTrail), next to the
// other AWS doubles. New tests should use awstest.
package cloudtrailtest

import "github.com/cairn-sec/cairn/awstest"

type (
	// Server is awstest.CloudTrail.
	Server = awstest.CloudTrail
	// Key is awstest.PublicKey.
	Key = awstest.PublicKey
	// Call is awstest.KeysCall.
	Call = awstest.KeysCall
)

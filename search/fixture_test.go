package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/cloudtrail"
	"github.com/cairn-sec/cairn/duckdb"
)

// rec is one CloudTrail record as written to a log file.
type rec map[string]any

const acct = "111122223333"

func iamUser(name string) map[string]any {
	return map[string]any{"type": "IAMUser", "principalId": "AIDA" + name, "arn": "arn:aws:iam::" + acct + ":user/" + name,
		"accountId": acct, "accessKeyId": "AKIA" + name, "userName": name}
}

func root() map[string]any {
	return map[string]any{"type": "Root", "principalId": acct, "arn": "arn:aws:iam::" + acct + ":root", "accountId": acct}
}

func assumedRole(role string, mfa bool) map[string]any {
	return map[string]any{"type": "AssumedRole", "principalId": "AROA" + role + ":session", "arn": "arn:aws:sts::" + acct + ":assumed-role/" + role + "/session",
		"accountId": acct, "accessKeyId": "ASIA" + role,
		"sessionContext": map[string]any{
			"attributes":    map[string]any{"mfaAuthenticated": fmt.Sprint(mfa), "creationDate": "2024-05-01T00:00:00Z"},
			"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROA" + role, "arn": "arn:aws:iam::" + acct + ":role/" + role, "accountId": acct, "userName": role},
		}}
}

func service(svc string) map[string]any {
	return map[string]any{"type": "AWSService", "invokedBy": svc}
}

// ct builds a record; kv sets further members.
func ct(id, at, name, source, region, ip string, who map[string]any, kv ...any) rec {
	r := rec{"eventVersion": "1.09", "userIdentity": who, "eventTime": at, "eventSource": source, "eventName": name,
		"awsRegion": region, "sourceIPAddress": ip, "userAgent": "aws-cli/2.15.0", "requestID": "req-" + id, "eventID": id,
		"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": acct, "readOnly": false}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(r, k)
			continue
		}
		r[k] = kv[i+1]
	}
	return r
}

func consoleLogin(id, at, ip string, who map[string]any, ok bool, mfa string) rec {
	outcome := "Success"
	kv := []any{"eventType", "AwsConsoleSignIn", "additionalEventData", map[string]any{"MFAUsed": mfa, "LoginTo": "https://console.aws.amazon.com"}}
	if !ok {
		outcome = "Failure"
		kv = append(kv, "errorMessage", "Failed authentication")
	}
	kv = append(kv, "responseElements", map[string]any{"ConsoleLogin": outcome}, "userAgent", "Mozilla/5.0")
	return ct(id, at, "ConsoleLogin", "signin.amazonaws.com", "us-east-1", ip, who, kv...)
}

// fixtures are hand-made records the seed queries are checked against.
func fixtures() []rec {
	return []rec{
		consoleLogin("e01", "2024-05-01T08:00:00Z", "198.51.100.7", iamUser("alice"), true, "Yes"),
		consoleLogin("e02", "2024-05-01T08:05:00Z", "203.0.113.50", iamUser("alice"), false, "No"),
		consoleLogin("e03", "2024-05-01T08:06:00Z", "203.0.113.51", iamUser("bob"), false, "No"),
		consoleLogin("e04", "2024-05-01T09:00:00Z", "2001:db8::10", root(), true, "No"),
		ct("e05", "2024-05-01T09:05:00Z", "CreateAccessKey", "iam.amazonaws.com", "us-east-1", "2001:db8::10", root(),
			"responseElements", map[string]any{"accessKey": map[string]any{"userName": "alice", "accessKeyId": "AKIANEW", "status": "Active"}}),
		ct("e06", "2024-05-01T10:00:00Z", "CreateUser", "iam.amazonaws.com", "us-east-1", "198.51.100.7", iamUser("alice"),
			"requestParameters", map[string]any{"userName": "mallory"}),
		ct("e07", "2024-05-01T10:01:00Z", "AttachUserPolicy", "iam.amazonaws.com", "us-east-1", "198.51.100.7", iamUser("alice"),
			"requestParameters", map[string]any{"userName": "mallory", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
		ct("e08", "2024-05-01T10:02:00Z", "ListUsers", "iam.amazonaws.com", "us-east-1", "198.51.100.7", iamUser("alice"), "readOnly", true),
		ct("e09", "2024-05-01T11:00:00Z", "DescribeInstances", "ec2.amazonaws.com", "us-west-2", "203.0.113.51", iamUser("bob"),
			"readOnly", true, "errorCode", "Client.UnauthorizedOperation", "errorMessage", "You are not authorized to perform this operation."),
		ct("e10", "2024-05-01T11:01:00Z", "GetBucketPolicy", "s3.amazonaws.com", "us-west-2", "203.0.113.51", iamUser("bob"),
			"readOnly", true, "errorCode", "AccessDenied", "errorMessage", "Access Denied", "requestParameters", map[string]any{"bucketName": "payroll"}),
		ct("e11", "2024-05-01T12:00:00Z", "RunInstances", "ec2.amazonaws.com", "us-west-2", "10.1.2.3", assumedRole("deploy", false),
			"requestParameters", map[string]any{"instanceType": "t3.micro", "instancesSet": map[string]any{"items": []any{
				map[string]any{"imageId": "ami-0001", "minCount": 1}, map[string]any{"imageId": "ami-0002", "minCount": 2}}}}),
		ct("e12", "2024-05-01T12:05:00Z", "AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", "us-west-2", "10.1.200.9", assumedRole("deploy", true),
			"requestParameters", map[string]any{"groupId": "sg-0123", "ipPermissions": map[string]any{"items": []any{map[string]any{
				"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": map[string]any{"items": []any{map[string]any{"cidrIp": "0.0.0.0/0"}}}}}}}),
		ct("e13", "2024-05-01T13:00:00Z", "DeleteTrail", "cloudtrail.amazonaws.com", "us-east-1", "198.51.100.7", iamUser("alice"),
			"requestParameters", map[string]any{"name": "main-trail"}),
		ct("e14", "2024-05-01T13:05:00Z", "StopLogging", "cloudtrail.amazonaws.com", "us-east-1", "10.0.0.5", iamUser("terraform"),
			"userAgent", "Terraform/1.5.0", "requestParameters", map[string]any{"name": "main-trail"}),
		ct("e15", "2024-05-01T14:00:00Z", "AssumeRole", "sts.amazonaws.com", "us-west-2", "ec2.amazonaws.com", service("ec2.amazonaws.com"),
			"userAgent", "ec2.amazonaws.com", "resources", []any{map[string]any{"ARN": "arn:aws:iam::" + acct + ":role/deploy", "accountId": acct, "type": "AWS::IAM::Role"}},
			"requestParameters", map[string]any{"roleArn": "arn:aws:iam::" + acct + ":role/deploy", "roleSessionName": "i-0abc"}),
		ct("e16", "2024-05-02T09:00:00Z", "DeleteBucket", "s3.amazonaws.com", "us-east-1", "2001:db8:0:1::5", iamUser("bob"),
			"errorCode", "AccessDenied", "errorMessage", "Access Denied", "requestParameters", map[string]any{"bucketName": "payroll"}),
		ct("e17", "2024-05-02T10:00:00Z", "PutBucketPolicy", "s3.amazonaws.com", "eu-west-1", "198.51.100.7", iamUser("alice"),
			"requestParameters", map[string]any{"bucketName": "public-data", "bucketPolicy": map[string]any{"Statement": []any{
				map[string]any{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}}}}),
		ct("e18", "2024-05-03T00:30:00Z", "GetCallerIdentity", "sts.amazonaws.com", "ap-southeast-2", "192.0.2.44", iamUser("carol"),
			"readOnly", true, "userAgent", "aws-cli/2.15.0 Python/3.11"),
		consoleLogin("e19", "2024-05-03T01:00:00Z", "192.0.2.44", iamUser("carol"), true, "No"),
		ct("e20", "2024-05-03T02:00:00Z", "DeleteUser", "iam.amazonaws.com", "us-east-1", "198.51.100.7", iamUser("alice"),
			"errorCode", "NoSuchEntityException", "errorMessage", "The user with name mallory cannot be found.", "requestParameters", map[string]any{"userName": "mallory"}),
		ct("e21", "2024-05-03T03:00:00Z", "Decrypt", "kms.amazonaws.com", "us-east-1", "AWS Internal", service("s3.amazonaws.com"),
			"readOnly", true, "userAgent", "AWS Internal", "eventType", "AwsServiceEvent"),
		ct("e22", "2024-05-03T04:00:00Z", "ListBuckets", "s3.amazonaws.com", "us-east-1", "10.0.0.1", iamUser("svc_%admin"),
			"readOnly", true, "userAgent", "Mozilla'; DROP TABLE events; --", "requestParameters", map[string]any{"note": `it's "quoted" \ back`}),
	}
}

// logFile is a CloudTrail log file holding recs.
func logFile(t testing.TB, recs []rec) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type collector struct{ evs []*cairn.Event }

func (c *collector) Emit(ev *cairn.Event) error { e := *ev; c.evs = append(c.evs, &e); return nil }
func (c *collector) Reject(e cairn.IngestError) error {
	return fmt.Errorf("fixture record rejected: %v", e)
}

// decode runs a log file through the CloudTrail decoder.
func decode(t testing.TB, file []byte) []*cairn.Event {
	t.Helper()
	var c collector
	ref := cairn.ObjectRef{Bucket: "trail", Key: "AWSLogs/" + acct + "/CloudTrail/fixture.json.gz", ETag: "fixture"}
	if err := (cloudtrail.Decoder{}).Decode(context.Background(), bytes.NewReader(file), ref, &c); err != nil {
		t.Fatal(err)
	}
	return c.evs
}

// newStore writes events into a store in a temporary directory through
// the store's own write path.
func newStore(t testing.TB, evs []*cairn.Event) *duckdb.Store {
	t.Helper()
	ctx := context.Background()
	s, err := duckdb.Open(ctx, duckdb.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// randomRecords generates n records from small vocabularies, with members
// left out at random, for the differential test.
func randomRecords(r *rand.Rand, n int) []rec {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	var out []rec
	for i := range n {
		var who map[string]any
		switch r.IntN(4) {
		case 0:
			who = iamUser(pick("alice", "bob", "carol", "Dave", "svc_%admin"))
		case 1:
			who = root()
		case 2:
			who = assumedRole(pick("deploy", "audit"), r.IntN(2) == 0)
		default:
			who = service(pick("ec2.amazonaws.com", "s3.amazonaws.com"))
		}
		at := base.Add(time.Duration(r.IntN(5*24*60)) * time.Minute).Format(time.RFC3339)
		ip := pick("10.0.0.1", "10.1.2.3", "10.255.255.255", "11.0.0.1", "192.168.1.20", "203.0.113.9", "2001:db8::1",
			"2001:db8:0:1::5", "2001:DB8::ff", "fe80::1", "AWS Internal", "ec2.amazonaws.com")
		kv := []any{"readOnly", r.IntN(2) == 0}
		switch r.IntN(6) {
		case 0:
			kv = append(kv, "errorCode", pick("AccessDenied", "Client.UnauthorizedOperation", "NoSuchEntityException", "ThrottlingException"),
				"errorMessage", pick("Access Denied", "not authorized", "slow down"))
		case 1:
			kv = append(kv, "readOnly", nil)
		}
		switch r.IntN(4) {
		case 0:
			kv = append(kv, "requestParameters", map[string]any{"bucketName": pick("payroll", "public-data", "Logs_2024"), "n": r.IntN(100)})
		case 1:
			kv = append(kv, "requestParameters", map[string]any{"items": []any{map[string]any{"id": pick("a1", "b2")}, map[string]any{"id": pick("c3", "a1")}}})
		case 2:
			kv = append(kv, "requestParameters", map[string]any{"policyArn": pick("arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess")})
		}
		if r.IntN(5) == 0 {
			kv = append(kv, "userAgent", nil)
		}
		out = append(out, ct(fmt.Sprintf("r%04d", i), at, pick("ConsoleLogin", "CreateUser", "DeleteBucket", "GetObject", "ListUsers", "StopLogging", "RunInstances"),
			pick("iam.amazonaws.com", "s3.amazonaws.com", "ec2.amazonaws.com", "signin.amazonaws.com"), pick("us-east-1", "us-west-2", "eu-west-1"), ip, who, kv...))
	}
	return out
}

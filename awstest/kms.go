package awstest

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cairn-sec/cairn/awsauth"
)

// KMSKey is one key the KMS double knows.
type KMSKey struct {
	ID          string // a UUID-like key ID
	Region      string // default us-east-1
	Account     string // default 000000000000
	KeyManager  string // CUSTOMER (default) or AWS
	KeyState    string // Enabled (default), Disabled, PendingDeletion, …
	Description string
	Aliases     []string // "alias/name"
	Policy      string   // the default key policy document (JSON)
}

// ARN returns the key's ARN.
func (k KMSKey) ARN() string {
	return "arn:" + awsauth.Partition(k.Region) + ":kms:" + k.Region + ":" + k.Account + ":key/" + k.ID
}

// KMS is a test double of AWS KMS (JSON 1.1, X-Amz-Target
// TrentService.<Op>): DescribeKey and GetKeyPolicy, by key ID, key ARN,
// alias name or alias ARN, in the region the request is signed for.
type KMS struct {
	Faults

	mu    sync.Mutex
	keys  []KMSKey
	calls []string
}

// AddKey adds k (defaults filled in) and returns it.
func (s *KMS) AddKey(k KMSKey) KMSKey {
	if k.Region == "" {
		k.Region = "us-east-1"
	}
	if k.Account == "" {
		k.Account = "000000000000"
	}
	if k.KeyManager == "" {
		k.KeyManager = "CUSTOMER"
	}
	if k.KeyState == "" {
		k.KeyState = "Enabled"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, old := range s.keys {
		if old.ID == k.ID && old.Region == k.Region {
			s.keys[i] = k
			return k
		}
	}
	s.keys = append(s.keys, k)
	return k
}

// SetPolicy replaces the key policy of the key with this ID.
func (s *KMS) SetPolicy(id, policy string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.keys {
		if s.keys[i].ID == id {
			s.keys[i].Policy = policy
		}
	}
}

// Key returns the key with this ID (in any region).
func (s *KMS) Key(id string) (KMSKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.ID == id {
			return k, true
		}
	}
	return KMSKey{}, false
}

// Calls returns the operations answered so far, in order.
func (s *KMS) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// Deny makes op fail as KMS does for a caller without the permission.
func (s *KMS) Deny(op string) {
	s.Fail(op, Fault{Status: 400, Code: "AccessDeniedException", Message: deniedMessage("", "kms:"+op, "")})
}

func (s *KMS) find(region, ref string) (KMSKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.Region != region && !strings.HasPrefix(ref, "arn:") {
			continue
		}
		if ref == k.ID || ref == k.ARN() {
			return k, true
		}
		for _, a := range k.Aliases {
			if ref == a || ref == "arn:"+awsauth.Partition(k.Region)+":kms:"+k.Region+":"+k.Account+":"+a {
				return k, true
			}
		}
	}
	return KMSKey{}, false
}

// ServeHTTP implements http.Handler.
func (s *KMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, body, sc, ok := jsonOp(w, r, "1.1", "TrentService")
	if !ok {
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, op)
	s.mu.Unlock()
	if f, ok := s.fault(op); ok {
		jsonError(w, "1.1", f)
		return
	}
	var in struct {
		KeyId      string
		PolicyName string
	}
	if !decodeJSON(w, "1.1", body, &in) {
		return
	}
	if op != "DescribeKey" && op != "GetKeyPolicy" {
		jsonError(w, "1.1", Fault{Code: "UnknownOperationException", Message: "operation " + op + " is not implemented by the test double"})
		return
	}
	if in.KeyId == "" {
		jsonError(w, "1.1", Fault{Code: "ValidationException", Message: "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"})
		return
	}
	k, ok := s.find(sc.Region, in.KeyId)
	if !ok || (op == "GetKeyPolicy" && strings.HasPrefix(in.KeyId, "alias/")) {
		jsonError(w, "1.1", Fault{Code: "NotFoundException", Message: "Key '" + in.KeyId + "' does not exist"})
		return
	}
	switch op {
	case "DescribeKey":
		writeJSON(w, "1.1", map[string]any{"KeyMetadata": map[string]any{
			"AWSAccountId": k.Account, "KeyId": k.ID, "Arn": k.ARN(), "CreationDate": float64(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()),
			"Enabled": k.KeyState == "Enabled", "Description": k.Description, "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": k.KeyState,
			"Origin": "AWS_KMS", "KeyManager": k.KeyManager, "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
			"EncryptionAlgorithms": []string{"SYMMETRIC_DEFAULT"}, "MultiRegion": false,
		}})
	case "GetKeyPolicy":
		if in.PolicyName != "" && in.PolicyName != "default" {
			jsonError(w, "1.1", Fault{Code: "NotFoundException", Message: "Policy " + in.PolicyName + " does not exist"})
			return
		}
		writeJSON(w, "1.1", map[string]string{"Policy": k.Policy, "PolicyName": "default"})
	}
}

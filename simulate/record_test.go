package simulate

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	uuidRE      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	accessKeyRE = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{16}$`)
	t0          = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
)

// canonicalOrder is CloudTrail's top-level field order.
var canonicalOrder = []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName",
	"awsRegion", "sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters",
	"responseElements", "additionalEventData", "requestID", "eventID", "readOnly", "resources",
	"eventType", "apiVersion", "managementEvent", "recipientAccountId", "sharedEventID",
	"vpcEndpointId", "serviceEventDetails", "eventCategory", "tlsDetails", "sessionCredentialFromConsole"}

// sample returns n records spread over the generator's accounts and
// regions, decoded, with their raw bytes.
func sample(t testing.TB, g *Generator, n int) ([]map[string]any, [][]byte) {
	t.Helper()
	recs := make([]map[string]any, 0, n)
	raws := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		raw := g.Record(g.accounts[i%len(g.accounts)], g.regions[(i/len(g.accounts))%len(g.regions)], t0.Add(time.Duration(i)*time.Second))
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("record %d is not valid JSON: %v\n%s", i, err, raw)
		}
		recs = append(recs, m)
		raws = append(raws, raw)
	}
	return recs, raws
}

// topKeys returns the top-level keys of a JSON object in order.
func topKeys(t *testing.T, raw []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestRecordsHaveRequiredFieldsInOrder(t *testing.T) {
	g := NewGenerator(Options{Seed: 1})
	recs, raws := sample(t, g, 3000)
	rank := map[string]int{}
	for i, k := range canonicalOrder {
		rank[k] = i
	}
	var size int
	for i, m := range recs {
		size += len(raws[i])
		if bytes.ContainsAny(raws[i], "\n") {
			t.Fatalf("record %d contains a newline", i)
		}
		for _, f := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
			"sourceIPAddress", "userAgent", "requestParameters", "responseElements", "eventID", "readOnly",
			"eventType", "managementEvent", "recipientAccountId", "eventCategory"} {
			if _, ok := m[f]; !ok {
				t.Fatalf("record %d lacks %s: %s", i, f, raws[i])
			}
		}
		if _, ok := m["userIdentity"].(map[string]any); !ok {
			t.Fatalf("record %d: userIdentity is not an object", i)
		}
		if v := m["eventVersion"]; v != "1.08" && v != "1.09" {
			t.Errorf("record %d: eventVersion %v", i, v)
		}
		et, err := time.Parse("2006-01-02T15:04:05Z", m["eventTime"].(string))
		if err != nil || !et.Equal(t0.Add(time.Duration(i)*time.Second)) {
			t.Errorf("record %d: eventTime %v (%v)", i, m["eventTime"], err)
		}
		if !strings.HasSuffix(m["eventSource"].(string), ".amazonaws.com") {
			t.Errorf("record %d: eventSource %v", i, m["eventSource"])
		}
		if id := m["eventID"].(string); !uuidRE.MatchString(id) {
			t.Errorf("record %d: eventID %q is not a UUID v4", i, id)
		}
		switch m["eventType"] {
		case "AwsApiCall":
			if _, ok := m["requestID"]; !ok {
				t.Errorf("record %d: API call without requestID", i)
			}
		case "AwsConsoleSignIn", "AwsServiceEvent":
		default:
			t.Errorf("record %d: eventType %v", i, m["eventType"])
		}
		if c := m["eventCategory"]; c != "Management" && c != "Data" {
			t.Errorf("record %d: eventCategory %v", i, c)
		}
		if (m["eventCategory"] == "Data") == m["managementEvent"].(bool) {
			t.Errorf("record %d: managementEvent disagrees with eventCategory", i)
		}
		if _, ok := m["readOnly"].(bool); !ok {
			t.Errorf("record %d: readOnly is not a boolean", i)
		}
		last := -1
		for _, k := range topKeys(t, raws[i]) {
			r, ok := rank[k]
			if !ok {
				t.Fatalf("record %d: unexpected field %q", i, k)
			}
			if r <= last {
				t.Fatalf("record %d: field %q out of CloudTrail order: %s", i, k, raws[i])
			}
			last = r
		}
	}
	if avg := size / len(recs); avg < 800 || avg > 2000 {
		t.Errorf("average record size %d bytes, want 800-2000", avg)
	}
}

func TestIdentityVariety(t *testing.T) {
	g := NewGenerator(Options{Seed: 2})
	recs, _ := sample(t, g, 2000)
	types := map[string]int{}
	keys, mfa := 0, map[string]bool{}
	for i, m := range recs {
		ui := m["userIdentity"].(map[string]any)
		typ, _ := ui["type"].(string)
		types[typ]++
		if k, ok := ui["accessKeyId"].(string); ok && k != "" {
			if !accessKeyRE.MatchString(k) {
				t.Errorf("record %d: access key %q", i, k)
			}
			keys++
		}
		switch typ {
		case "AssumedRole":
			sc := ui["sessionContext"].(map[string]any)
			if sc["sessionIssuer"].(map[string]any)["type"] != "Role" {
				t.Errorf("record %d: AssumedRole issuer %v", i, sc["sessionIssuer"])
			}
			mfa[sc["attributes"].(map[string]any)["mfaAuthenticated"].(string)] = true
		case "IdentityCenterUser":
			if _, ok := ui["arn"]; ok {
				t.Errorf("record %d: IdentityCenterUser has an arn", i)
			}
			obo := ui["onBehalfOf"].(map[string]any)
			if obo["userId"] == "" || !strings.HasPrefix(obo["identityStoreArn"].(string), "arn:aws:identitystore::") || ui["credentialId"] == "" {
				t.Errorf("record %d: IdentityCenterUser %v", i, ui)
			}
		case "AWSService":
			if m["sourceIPAddress"] != ui["invokedBy"] || !strings.HasSuffix(ui["invokedBy"].(string), ".amazonaws.com") {
				t.Errorf("record %d: AWSService source %v invokedBy %v", i, m["sourceIPAddress"], ui["invokedBy"])
			}
		case "":
			if m["eventType"] != "AwsServiceEvent" {
				t.Errorf("record %d: identity without type outside a service event", i)
			}
		}
	}
	for _, want := range []string{"Root", "IAMUser", "AssumedRole", "Role", "FederatedUser", "AWSAccount", "AWSService",
		"SAMLUser", "WebIdentityUser", "IdentityCenterUser", "Directory", "Unknown"} {
		if types[want] == 0 {
			t.Errorf("no %s identity in 2000 records (%v)", want, types)
		}
	}
	if keys == 0 || !mfa["true"] || !mfa["false"] {
		t.Errorf("access keys %d, mfaAuthenticated values %v", keys, mfa)
	}
}

func TestCallVariety(t *testing.T) {
	g := NewGenerator(Options{Seed: 3})
	recs, _ := sample(t, g, 2000)
	names, sources, pairs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	agents := map[string]bool{}
	var v6, reads, writes, errs, api int
	var success, failure, hidden int
	for i, m := range recs {
		src, name := m["eventSource"].(string), m["eventName"].(string)
		names[name], sources[src], pairs[src+" "+name] = true, true, true
		ua := m["userAgent"].(string)
		for _, p := range []string{"aws-cli/2.", "Boto3/", "Terraform/", "aws-sdk-go-v2/", "Mozilla/5.0", "AWS Internal"} {
			if strings.Contains(ua, p) {
				agents[p] = true
			}
		}
		if strings.Contains(m["sourceIPAddress"].(string), ":") {
			v6++
		}
		if m["readOnly"].(bool) {
			reads++
		} else {
			writes++
		}
		if m["eventType"] == "AwsApiCall" {
			api++
			if code, ok := m["errorCode"].(string); ok {
				errs++
				if msg, _ := m["errorMessage"].(string); msg == "" {
					t.Errorf("record %d: errorCode %s without errorMessage", i, code)
				}
				if m["responseElements"] != nil {
					t.Errorf("record %d: failed call with responseElements", i)
				}
			}
		}
		if name == "ConsoleLogin" {
			if src != "signin.amazonaws.com" || m["eventType"] != "AwsConsoleSignIn" {
				t.Errorf("record %d: ConsoleLogin %s %v", i, src, m["eventType"])
			}
			extra := m["additionalEventData"].(map[string]any)
			if extra["LoginTo"] == nil || extra["MobileVersion"] != "No" || (extra["MFAUsed"] != "Yes" && extra["MFAUsed"] != "No") {
				t.Errorf("record %d: additionalEventData %v", i, extra)
			}
			switch m["responseElements"].(map[string]any)["ConsoleLogin"] {
			case "Success":
				success++
			case "Failure":
				failure++
				if m["errorMessage"] == nil {
					t.Errorf("record %d: failed sign-in without errorMessage", i)
				}
				if m["userIdentity"].(map[string]any)["userName"] == "HIDDEN_DUE_TO_SECURITY_REASONS" {
					hidden++
				}
			}
		}
	}
	if len(names) < 40 || len(pairs) < 40 || len(sources) < 15 {
		t.Errorf("%d eventNames, %d pairs, %d services; want >= 40, 40, 15", len(names), len(pairs), len(sources))
	}
	if success == 0 || failure == 0 || hidden == 0 {
		t.Errorf("ConsoleLogin successes %d, failures %d (hidden user %d)", success, failure, hidden)
	}
	if rate := float64(errs) / float64(api); rate < 0.03 || rate > 0.15 {
		t.Errorf("error rate %.3f (%d of %d API calls), want 3%%-15%%", rate, errs, api)
	}
	if v6 == 0 || reads == 0 || writes == 0 || len(agents) < 6 {
		t.Errorf("IPv6 sources %d, reads %d, writes %d, agents %v", v6, reads, writes, agents)
	}
}

func TestSecurityRelevantParameters(t *testing.T) {
	g := NewGenerator(Options{Seed: 4})
	recs, raws := sample(t, g, 6000)
	seen := map[string]bool{}
	for i, m := range recs {
		rp, _ := m["requestParameters"].(map[string]any)
		switch m["eventName"] {
		case "AttachUserPolicy":
			if strings.HasPrefix(rp["policyArn"].(string), "arn:aws:iam::aws:policy/") {
				seen["policyArn"] = true
			}
		case "AuthorizeSecurityGroupIngress":
			if bytes.Contains(raws[i], []byte(`"cidrIp":"0.0.0.0/0"`)) {
				seen["world"] = true
			}
		case "PutBucketPolicy":
			if _, ok := rp["bucketPolicy"].(map[string]any); ok {
				seen["bucketPolicy"] = true
			}
		case "CreateAccessKey":
			if m["errorCode"] == nil && strings.HasPrefix(m["responseElements"].(map[string]any)["accessKey"].(map[string]any)["accessKeyId"].(string), "AKIA") {
				seen["newKey"] = true
			}
		case "StopLogging":
			seen["stop"] = rp["name"] != nil
		case "GetSecretValue":
			seen["secret"] = rp["secretId"] != nil
		}
	}
	for _, k := range []string{"policyArn", "world", "bucketPolicy", "newKey", "stop", "secret"} {
		if !seen[k] {
			t.Errorf("no record showed %s", k)
		}
	}
}

func TestDeterministic(t *testing.T) {
	opts := Options{Seed: 42, Start: t0}
	a, b := NewGenerator(opts), NewGenerator(opts)
	for i := 0; i < 20; i++ {
		fa, err := a.NextFile()
		if err != nil {
			t.Fatal(err)
		}
		fb, _ := b.NextFile()
		if fa.Key != fb.Key || !bytes.Equal(fa.Body, fb.Body) || !fa.Time.Equal(fb.Time) {
			t.Fatalf("file %d differs between generators with the same seed", i)
		}
	}
	if !bytes.Equal(a.Record("111122223333", "eu-west-1", t0), b.Record("111122223333", "eu-west-1", t0)) {
		t.Fatal("records differ for the same seed")
	}
	c := NewGenerator(Options{Seed: 43, Start: t0})
	fa, _ := NewGenerator(opts).NextFile()
	fc, _ := c.NextFile()
	if fa.Key == fc.Key || fa.EventIDs[0] == fc.EventIDs[0] {
		t.Fatal("different seeds gave the same output")
	}
}

func TestUniqueEventIDs(t *testing.T) {
	g := NewGenerator(Options{Seed: 5, Start: t0})
	seen := make(map[string]bool, 20000)
	for len(seen) < 20000 {
		f, err := g.NextFile()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range f.EventIDs {
			if seen[id] {
				t.Fatalf("duplicate eventID %s after %d records", id, len(seen))
			}
			seen[id] = true
		}
	}
}

func TestJSONEscaping(t *testing.T) {
	var w jw
	w.obj()
	w.kstr("s", "quote\" back\\ nl\n tab\t ctl\x01 bad\xff ok\u00e9")
	w.end()
	var m map[string]string
	if err := json.Unmarshal(w.b, &m); err != nil {
		t.Fatalf("%v: %s", err, w.b)
	}
	if want := "quote\" back\\ nl\n tab\t ctl\x01 bad\ufffd ok\u00e9"; m["s"] != want {
		t.Fatalf("got %q, want %q", m["s"], want)
	}
}

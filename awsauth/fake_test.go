package awsauth_test

// Test doubles for STS (Query protocol, XML responses) and SQS (JSON 1.0
// protocol) on one httptest.Server, as Load's EndpointURL sends every
// service to one endpoint. The double checks SigV4 signatures against the
// secret keys it knows, as AWS does, and answers a bad signature with
// SignatureDoesNotMatch.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

const stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"

// stsCall is one request the fake saw.
type stsCall struct {
	Form          url.Values
	Authorization string
	AccessKey     string // from the Credential= of the Authorization header
	Scope         string // date/region/service/aws4_request
	SecurityToken string
	Target        string // X-Amz-Target (SQS)
	Body          []byte
}

type stsCreds struct{ AccessKeyID, Secret, Token string }

type fakeAWS struct {
	t   *testing.T
	srv *httptest.Server

	mu    sync.Mutex
	calls []stsCall
	// secrets the fake accepts: access key ID → secret access key.
	secrets map[string]string
	// issued are the credentials AssumeRole* hands out.
	issued stsCreds

	// assumeRole answers AssumeRole; nil means issue f.issued.
	assumeRole func(w http.ResponseWriter, form url.Values) bool
	// sqsAttributes answers GetQueueAttributes.
	sqsAttributes map[string]string
}

func newFakeAWS(t *testing.T) *fakeAWS {
	f := &fakeAWS{t: t,
		secrets: map[string]string{},
		issued: stsCreds{AccessKeyID: "ASIAFAKEASSUMED00001", Secret: "assumedSecretKey/abc123",
			Token: "FwoGZXIvYXdzEFakeSessionToken//////////"},
		sqsAttributes: map[string]string{},
	}
	f.secrets[f.issued.AccessKeyID] = f.issued.Secret
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAWS) URL() string { return f.srv.URL }

func (f *fakeAWS) Calls() []stsCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]stsCall(nil), f.calls...)
}

var credentialRE = regexp.MustCompile(`Credential=([^/]+)/([^,]+),`)

func (f *fakeAWS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	call := stsCall{Authorization: r.Header.Get("Authorization"), SecurityToken: r.Header.Get("X-Amz-Security-Token"),
		Target: r.Header.Get("X-Amz-Target"), Body: body}
	if m := credentialRE.FindStringSubmatch(call.Authorization); m != nil {
		call.AccessKey, call.Scope = m[1], m[2]
	}
	if call.Target == "" {
		call.Form, _ = url.ParseQuery(string(body))
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()

	if call.Target != "" {
		f.serveSQS(w, r, call)
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		stsError(w, http.StatusBadRequest, "Sender", "InvalidAction", "not a Query protocol request")
		return
	}
	if call.Form.Get("Version") != "2011-06-15" {
		stsError(w, http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation "+call.Form.Get("Action")+" for version "+call.Form.Get("Version"))
		return
	}
	switch call.Form.Get("Action") {
	case "AssumeRole":
		if !f.verify(w, r, body, "sts", func(code, msg string) { stsError(w, http.StatusForbidden, "Sender", code, msg) }) {
			return
		}
		if f.assumeRole != nil && f.assumeRole(w, call.Form) {
			return
		}
		f.writeAssumed(w, "AssumeRole", call.Form, "")
	case "AssumeRoleWithWebIdentity":
		// Unsigned: the OIDC token is the authentication.
		if call.Form.Get("WebIdentityToken") == "" {
			stsError(w, http.StatusBadRequest, "Sender", "MissingParameter", "The request must contain the parameter WebIdentityToken")
			return
		}
		f.writeAssumed(w, "AssumeRoleWithWebIdentity", call.Form,
			"<SubjectFromWebIdentityToken>system:serviceaccount:cairn:cairn</SubjectFromWebIdentityToken>"+
				"<Audience>sts.amazonaws.com</Audience><Provider>arn:aws:iam::123456789012:oidc-provider/oidc.example</Provider>")
	default:
		stsError(w, http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation "+call.Form.Get("Action"))
	}
}

func (f *fakeAWS) writeAssumed(w http.ResponseWriter, action string, form url.Values, extra string) {
	roleARN := form.Get("RoleArn")
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	account := strings.Split(roleARN, ":")[4]
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
	fmt.Fprintf(w, `<%[1]sResponse xmlns="%[2]s">
  <%[1]sResult>%[3]s
    <AssumedRoleUser>
      <Arn>arn:aws:sts::%[4]s:assumed-role/%[5]s/%[6]s</Arn>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:%[6]s</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>%[7]s</AccessKeyId>
      <SecretAccessKey>%[8]s</SecretAccessKey>
      <SessionToken>%[9]s</SessionToken>
      <Expiration>2030-01-01T00:00:00Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </%[1]sResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</%[1]sResponse>`, action, stsNS, extra, account, xmlEscape(roleName), xmlEscape(form.Get("RoleSessionName")),
		f.issued.AccessKeyID, f.issued.Secret, f.issued.Token)
}

// stsError writes the Query protocol's error document.
func stsError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s">
  <Error>
    <Type>%s</Type>
    <Code>%s</Code>
    <Message>%s</Message>
  </Error>
  <RequestId>4a5cd2d4-0b5f-4a1a-9b2e-2f1f0c0d1e2f</RequestId>
</ErrorResponse>`, stsNS, typ, code, xmlEscape(msg))
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (f *fakeAWS) serveSQS(w http.ResponseWriter, r *http.Request, call stsCall) {
	sqsErr := func(status int, typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-Query-Error", strings.TrimPrefix(typ, "com.amazonaws.sqs#")+";Sender")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	if r.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		sqsErr(http.StatusBadRequest, "com.amazonaws.sqs#InvalidParameterValue", "bad content type")
		return
	}
	if !f.verify(w, r, call.Body, "sqs", func(code, msg string) {
		sqsErr(http.StatusForbidden, "com.amazonaws.sqs#"+code, msg)
	}) {
		return
	}
	switch call.Target {
	case "AmazonSQS.GetQueueAttributes":
		var in struct {
			QueueUrl       string
			AttributeNames []string
		}
		if err := json.Unmarshal(call.Body, &in); err != nil || in.QueueUrl == "" {
			sqsErr(http.StatusBadRequest, "com.amazonaws.sqs#InvalidParameterValue", "bad request")
			return
		}
		out := map[string]string{}
		for _, n := range in.AttributeNames {
			if v, ok := f.sqsAttributes[n]; ok {
				out[n] = v
			}
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_ = json.NewEncoder(w).Encode(map[string]any{"Attributes": out})
	default:
		sqsErr(http.StatusBadRequest, "com.amazonaws.sqs#UnsupportedOperation", "unsupported "+call.Target)
	}
}

// verify checks r's SigV4 signature for service against the secrets the
// fake knows, writing an error with deny and returning false if it is not
// valid.
func (f *fakeAWS) verify(w http.ResponseWriter, r *http.Request, body []byte, service string, deny func(code, msg string)) bool {
	auth := r.Header.Get("Authorization")
	m := regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$`).FindStringSubmatch(auth)
	if m == nil {
		deny("MissingAuthenticationToken", "Request is missing Authentication Token")
		return false
	}
	akid, date, region, svc, signed, sig := m[1], m[2], m[3], m[4], m[5], m[6]
	f.mu.Lock()
	secret, ok := f.secrets[akid]
	f.mu.Unlock()
	if !ok {
		deny("InvalidClientTokenId", "The security token included in the request is invalid.")
		return false
	}
	if svc != service {
		deny("SignatureDoesNotMatch", "Credential should be scoped to correct service: '"+service+"'.")
		return false
	}
	var canon strings.Builder
	canon.WriteString(r.Method + "\n" + canonicalPath(r.URL.EscapedPath()) + "\n" + canonicalQuery(r.URL.Query()) + "\n")
	for _, h := range strings.Split(signed, ";") {
		var v string
		switch h {
		case "host":
			v = r.Host
		case "content-length":
			v = fmt.Sprint(r.ContentLength)
		default:
			v = strings.Join(r.Header.Values(h), ",")
		}
		canon.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	sum := sha256.Sum256(body)
	canon.WriteString("\n" + signed + "\n" + hex.EncodeToString(sum[:]))
	creq := sha256.Sum256([]byte(canon.String()))
	scope := date + "/" + region + "/" + svc + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + r.Header.Get("X-Amz-Date") + "\n" + scope + "\n" + hex.EncodeToString(creq[:])
	key := []byte("AWS4" + secret)
	for _, part := range []string{date, region, svc, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	if want := hex.EncodeToString(hmacSHA256(key, toSign)); !hmac.Equal([]byte(want), []byte(sig)) {
		deny("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return false
	}
	return true
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func canonicalPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, url.QueryEscape(k)+"="+strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
		}
	}
	return strings.Join(parts, "&")
}

package awstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// sigV4Header parses an Authorization header of AWS Signature Version 4.
var sigV4Header = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$`)

// authError is why a request's signature was refused, as AWS names it.
type authError struct{ Code, Message string }

// checkSignature verifies r's SigV4 signature over body, with the secret
// secretOf returns for the signing access key, as AWS does. It returns the
// access key ID that signed r.
func checkSignature(r *http.Request, body []byte, service string, secretOf func(accessKeyID string) (string, bool)) (string, *authError) {
	m := sigV4Header.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "", &authError{"MissingAuthenticationToken", "Request is missing Authentication Token"}
	}
	akid, date, region, svc, signed, sig := m[1], m[2], m[3], m[4], m[5], m[6]
	secret, ok := secretOf(akid)
	if !ok {
		return akid, &authError{"InvalidClientTokenId", "The security token included in the request is invalid."}
	}
	if svc != service {
		return akid, &authError{"SignatureDoesNotMatch", fmt.Sprintf("Credential should be scoped to correct service: '%s'.", service)}
	}
	var canon strings.Builder
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canon.WriteString(r.Method + "\n" + path + "\n" + sigCanonicalQuery(r.URL.Query()) + "\n")
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
		key = hmacSum(key, part)
	}
	if want := hex.EncodeToString(hmacSum(key, toSign)); !hmac.Equal([]byte(want), []byte(sig)) {
		return akid, &authError{"SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."}
	}
	return akid, nil
}

func hmacSum(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func sigCanonicalQuery(q url.Values) string {
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

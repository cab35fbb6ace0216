package awstest

import (
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// IAM is a test double of the IAM Query API (form-encoded POST, XML
// responses) for users and their access keys: CreateAccessKey,
// ListAccessKeys, UpdateAccessKey, DeleteAccessKey, GetUser and
// GetAccessKeyLastUsed, with IAM's limit of two access keys per user.
// Requests must carry a valid SigV4 signature by an active access key of
// one of its users; policies are not evaluated. STS answers
// GetCallerIdentity for the same keys (see Guard).
type IAM struct {
	account string
	now     func() time.Time

	mu    sync.Mutex
	users map[string]*iamUser
	keys  map[string]*iamKey // by access key ID
	// issued: every key ever created, so a deleted key stays refused.
	issued map[string]bool
	// propagation: how many STS authentications a new key fails before
	// STS knows it (IAM is eventually consistent).
	propagation int
	calls       []string
}

// IAMOptions configure an IAM double.
type IAMOptions struct {
	Account string           // default 123456789012
	Now     func() time.Time // default time.Now
}

type iamUser struct {
	name, id string
	created  time.Time
}

type iamKey struct {
	AccessKey
	stsMisses int // STS authentications still to fail
	lastUsed  time.Time
	lastSvc   string
}

// AccessKey is one access key of the double.
type AccessKey struct {
	User    string
	ID      string
	Secret  string
	Status  string // Active or Inactive
	Created time.Time
}

// NewIAM returns an IAM double with no users.
func NewIAM(o IAMOptions) *IAM {
	if o.Account == "" {
		o.Account = "123456789012"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &IAM{account: o.Account, now: o.Now, users: map[string]*iamUser{}, keys: map[string]*iamKey{}, issued: map[string]bool{}}
}

// CreateUser adds a user (no-op if it exists).
func (i *IAM) CreateUser(name string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if _, ok := i.users[name]; !ok {
		i.users[name] = &iamUser{name: name, id: "AIDA" + randToken(17, keyIDChars), created: i.now().UTC()}
	}
}

// AddKey gives user an active access key created at created, bypassing the
// API (and its limit): for setting up tests.
func (i *IAM) AddKey(user string, created time.Time) AccessKey {
	i.CreateUser(user)
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.addKeyLocked(user, created)
}

func (i *IAM) addKeyLocked(user string, created time.Time) AccessKey {
	k := &iamKey{AccessKey: AccessKey{User: user, ID: "AKIA" + randToken(16, keyIDChars),
		Secret: randToken(40, secretChars), Status: "Active", Created: created.UTC().Truncate(time.Second)}}
	i.keys[k.ID] = k
	i.issued[k.ID] = true
	return k.AccessKey
}

// Keys returns user's access keys, oldest first.
func (i *IAM) Keys(user string) []AccessKey {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keysLocked(user)
}

func (i *IAM) keysLocked(user string) []AccessKey {
	var out []AccessKey
	for _, k := range i.keys {
		if k.User == user {
			out = append(out, k.AccessKey)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].Created.Equal(out[b].Created) {
			return out[a].Created.Before(out[b].Created)
		}
		return out[a].ID < out[b].ID
	})
	return out
}

// SetPropagation makes every key created from now on fail n STS
// authentications before STS recognizes it (IAM's eventual consistency).
func (i *IAM) SetPropagation(n int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.propagation = n
}

// Calls returns the IAM actions called so far, in order.
func (i *IAM) Calls() []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]string(nil), i.calls...)
}

// Authenticate returns the identity an active access key belongs to and
// its secret, as STS would see it: a key created less than propagation
// authentications ago is not known yet. It counts as a use of the key.
func (i *IAM) Authenticate(accessKeyID, service string) (Identity, string, bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	k, ok := i.keys[accessKeyID]
	if !ok || k.Status != "Active" {
		return Identity{}, "", false
	}
	if service == "sts" && k.stsMisses > 0 {
		k.stsMisses--
		return Identity{}, "", false
	}
	u := i.users[k.User]
	k.lastUsed, k.lastSvc = i.now().UTC(), service
	return Identity{Account: i.account, ARN: i.userARN(u.name), UserID: u.id}, k.Secret, true
}

func (i *IAM) userARN(name string) string {
	return "arn:aws:iam::" + i.account + ":user/" + name
}

const iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"

// ServeHTTP answers IAM Query API requests.
func (i *IAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || r.Method != http.MethodPost {
		queryError(w, iamNS, Fault{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "want a POST with a form body"})
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		queryError(w, iamNS, Fault{Status: http.StatusBadRequest, Code: "MalformedQueryString", Message: err.Error()})
		return
	}
	caller, aerr := checkSignature(r, body, "iam", func(id string) (string, bool) {
		_, secret, ok := i.Authenticate(id, "iam")
		return secret, ok
	})
	if aerr != nil {
		queryError(w, iamNS, Fault{Status: http.StatusForbidden, Code: aerr.Code, Message: aerr.Message})
		return
	}
	if v := form.Get("Version"); v != "2010-05-08" {
		queryError(w, iamNS, Fault{Status: http.StatusBadRequest, Code: "InvalidAction", Message: "Could not find operation " + form.Get("Action") + " for version " + v})
		return
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	action := form.Get("Action")
	i.calls = append(i.calls, action)
	user := form.Get("UserName")
	if user == "" && action != "GetAccessKeyLastUsed" {
		user = i.keys[caller].User // the caller's own user, as IAM does
	}
	u, ok := i.users[user]
	if !ok && action != "GetAccessKeyLastUsed" {
		queryError(w, iamNS, Fault{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: "The user with name " + user + " cannot be found."})
		return
	}
	keyOf := func() (*iamKey, bool) {
		k, ok := i.keys[form.Get("AccessKeyId")]
		if !ok || k.User != user {
			queryError(w, iamNS, Fault{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: "The Access Key with id " + form.Get("AccessKeyId") + " cannot be found."})
			return nil, false
		}
		return k, true
	}
	switch action {
	case "CreateAccessKey":
		if len(i.keysLocked(user)) >= 2 {
			queryError(w, iamNS, Fault{Status: http.StatusConflict, Code: "LimitExceeded", Message: "Cannot exceed quota for AccessKeysPerUser: 2"})
			return
		}
		k := i.addKeyLocked(user, i.now())
		i.keys[k.ID].stsMisses = i.propagation
		qpResult(w, iamNS, action, fmt.Sprintf("<AccessKey><UserName>%s</UserName><AccessKeyId>%s</AccessKeyId><Status>Active</Status><SecretAccessKey>%s</SecretAccessKey><CreateDate>%s</CreateDate></AccessKey>",
			xmlEsc(user), k.ID, xmlEsc(k.Secret), k.Created.Format(time.RFC3339)))
	case "ListAccessKeys":
		var b strings.Builder
		for _, k := range i.keysLocked(user) {
			fmt.Fprintf(&b, "<member><UserName>%s</UserName><AccessKeyId>%s</AccessKeyId><Status>%s</Status><CreateDate>%s</CreateDate></member>",
				xmlEsc(user), k.ID, k.Status, k.Created.Format(time.RFC3339))
		}
		qpResult(w, iamNS, action, "<UserName>"+xmlEsc(user)+"</UserName><AccessKeyMetadata>"+b.String()+"</AccessKeyMetadata><IsTruncated>false</IsTruncated>")
	case "UpdateAccessKey":
		k, ok := keyOf()
		if !ok {
			return
		}
		st := form.Get("Status")
		if st != "Active" && st != "Inactive" {
			queryError(w, iamNS, Fault{Status: http.StatusBadRequest, Code: "ValidationError", Message: "1 validation error detected: Value '" + st + "' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"})
			return
		}
		k.Status = st
		qpResult(w, iamNS, action, "")
	case "DeleteAccessKey":
		k, ok := keyOf()
		if !ok {
			return
		}
		delete(i.keys, k.ID)
		qpResult(w, iamNS, action, "")
	case "GetUser":
		qpResult(w, iamNS, action, fmt.Sprintf("<User><Path>/</Path><UserName>%s</UserName><UserId>%s</UserId><Arn>%s</Arn><CreateDate>%s</CreateDate></User>",
			xmlEsc(u.name), u.id, xmlEsc(i.userARN(u.name)), u.created.Format(time.RFC3339)))
	case "GetAccessKeyLastUsed":
		k, ok := i.keys[form.Get("AccessKeyId")]
		if !ok {
			queryError(w, iamNS, Fault{Status: http.StatusForbidden, Code: "AccessDenied", Message: "User is not authorized to perform: iam:GetAccessKeyLastUsed"})
			return
		}
		last := "<ServiceName>N/A</ServiceName><Region>N/A</Region>"
		if !k.lastUsed.IsZero() {
			last = "<LastUsedDate>" + k.lastUsed.Format(time.RFC3339) + "</LastUsedDate><ServiceName>" + k.lastSvc + "</ServiceName><Region>us-east-1</Region>"
		}
		qpResult(w, iamNS, action, "<UserName>"+xmlEsc(k.User)+"</UserName><AccessKeyLastUsed>"+last+"</AccessKeyLastUsed>")
	default:
		queryError(w, iamNS, Fault{Status: http.StatusBadRequest, Code: "InvalidAction", Message: "Could not find operation " + action + " for version 2010-05-08"})
	}
}

// qpResult writes a Query protocol response document.
func qpResult(w http.ResponseWriter, ns, action, result string) {
	w.Header().Set("Content-Type", "text/xml")
	id := requestID()
	w.Header().Set("X-Amzn-Requestid", id)
	res := ""
	if result != "" {
		res = "<" + action + "Result>" + result + "</" + action + "Result>"
	}
	fmt.Fprintf(w, `<%sResponse xmlns="%s">%s<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, action, ns, res, id, action)
}

func xmlEsc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

const (
	keyIDChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func randToken(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for j := range b {
		b[j] = alphabet[int(b[j])%len(alphabet)]
	}
	return string(b)
}

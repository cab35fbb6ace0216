package awstest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// SecretsManager is a test double of the Secrets Manager JSON 1.1 API
// (POST, X-Amz-Target: secretsmanager.<Action>): CreateSecret,
// GetSecretValue, PutSecretValue and DescribeSecret, with version stages
// (a new value becomes AWSCURRENT, the previous one AWSPREVIOUS).
type SecretsManager struct {
	o SecretsManagerOptions

	mu      sync.Mutex
	secrets map[string]*secret // by name
	calls   []string
}

// SecretsManagerOptions configure the double.
type SecretsManagerOptions struct {
	Account string // default 123456789012
	Region  string // default us-east-1
	// SecretOf returns the secret access key of a signing key, to verify
	// signatures (IAM.Authenticate fits); nil accepts any signer.
	SecretOf func(accessKeyID string) (string, bool)
}

type secret struct {
	arn, name string
	created   time.Time
	versions  []*secretVersion // oldest first
}

type secretVersion struct {
	id      string
	value   string
	stages  []string
	created time.Time
}

// NewSecretsManager returns an empty Secrets Manager double.
func NewSecretsManager(o SecretsManagerOptions) *SecretsManager {
	if o.Account == "" {
		o.Account = "123456789012"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	return &SecretsManager{o: o, secrets: map[string]*secret{}}
}

// Put stores value as name's AWSCURRENT version (creating the secret),
// bypassing the API: for setting up tests. It returns the secret's ARN.
func (s *SecretsManager) Put(name, value string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[name]
	if sec == nil {
		sec = s.create(name)
	}
	sec.put(value, "")
	return sec.arn
}

// Current returns name's AWSCURRENT value.
func (s *SecretsManager) Current(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec, ok := s.secrets[name]; ok {
		if v := sec.stage("AWSCURRENT"); v != nil {
			return v.value, true
		}
	}
	return "", false
}

// Calls returns the actions called so far, in order.
func (s *SecretsManager) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

func (s *SecretsManager) create(name string) *secret {
	sec := &secret{name: name, created: time.Now().UTC(),
		arn: "arn:aws:secretsmanager:" + s.o.Region + ":" + s.o.Account + ":secret:" + name + "-" + randToken(6, secretChars[:62])}
	s.secrets[name] = sec
	return sec
}

func (sec *secret) stage(st string) *secretVersion {
	for _, v := range sec.versions {
		for _, x := range v.stages {
			if x == st {
				return v
			}
		}
	}
	return nil
}

// put adds a version and moves AWSCURRENT to it, AWSPREVIOUS to the old one.
func (sec *secret) put(value, token string) *secretVersion {
	if token == "" {
		token = requestID()
	}
	for _, v := range sec.versions {
		v.stages = removeStage(v.stages, "AWSPREVIOUS")
		if len(removeStage(v.stages, "AWSCURRENT")) != len(v.stages) {
			v.stages = append(removeStage(v.stages, "AWSCURRENT"), "AWSPREVIOUS")
		}
	}
	nv := &secretVersion{id: token, value: value, stages: []string{"AWSCURRENT"}, created: time.Now().UTC()}
	sec.versions = append(sec.versions, nv)
	return nv
}

func removeStage(stages []string, st string) []string {
	out := make([]string, 0, len(stages))
	for _, x := range stages {
		if x != st {
			out = append(out, x)
		}
	}
	return out
}

// lookup finds a secret by name or ARN.
func (s *SecretsManager) lookup(id string) *secret {
	if sec, ok := s.secrets[id]; ok {
		return sec
	}
	for _, sec := range s.secrets {
		if sec.arn == id || (strings.HasPrefix(id, "arn:") && strings.HasPrefix(sec.arn, id+"-")) {
			return sec
		}
	}
	return nil
}

// ServeHTTP answers Secrets Manager requests.
func (s *SecretsManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		jsonError(w, "1.1", Fault{Status: http.StatusBadRequest, Code: "InvalidRequestException", Message: "want a POST with an application/x-amz-json-1.1 body"})
		return
	}
	if m := sigV4Header.FindStringSubmatch(r.Header.Get("Authorization")); m == nil {
		jsonError(w, "1.1", Fault{Status: http.StatusBadRequest, Code: "MissingAuthenticationTokenException", Message: "Request is missing Authentication Token"})
		return
	} else if s.o.SecretOf != nil {
		if _, aerr := checkSignature(r, body, "secretsmanager", s.o.SecretOf); aerr != nil {
			jsonError(w, "1.1", Fault{Status: http.StatusBadRequest, Code: aerr.Code, Message: aerr.Message})
			return
		}
	}
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	if !ok {
		jsonError(w, "1.1", Fault{Status: http.StatusBadRequest, Code: "UnknownOperationException", Message: "unknown target " + r.Header.Get("X-Amz-Target")})
		return
	}
	var in struct {
		SecretId, Name, VersionId, VersionStage, SecretString, ClientRequestToken string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		jsonError(w, "1.1", Fault{Status: http.StatusBadRequest, Code: "SerializationException", Message: err.Error()})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, action)
	if action == "CreateSecret" {
		if s.secrets[in.Name] != nil {
			jsonError(w, "1.1", Fault{Status: http.StatusBadRequest, Code: "ResourceExistsException", Message: "The operation failed because the secret " + in.Name + " already exists."})
			return
		}
		sec := s.create(in.Name)
		out := map[string]any{"ARN": sec.arn, "Name": sec.name}
		if in.SecretString != "" {
			out["VersionId"] = sec.put(in.SecretString, in.ClientRequestToken).id
		}
		writeJSON(w, "1.1", out)
		return
	}
	sec := s.lookup(in.SecretId)
	if sec == nil {
		jsonError(w, "1.1", Fault{Status: http.StatusBadRequest, Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."})
		return
	}
	switch action {
	case "GetSecretValue":
		var v *secretVersion
		if in.VersionId != "" {
			for _, x := range sec.versions {
				if x.id == in.VersionId {
					v = x
				}
			}
		} else {
			st := in.VersionStage
			if st == "" {
				st = "AWSCURRENT"
			}
			v = sec.stage(st)
		}
		if v == nil {
			jsonError(w, "1.1", Fault{Status: http.StatusBadRequest, Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret value for staging label: " + in.VersionStage})
			return
		}
		writeJSON(w, "1.1", map[string]any{"ARN": sec.arn, "Name": sec.name, "VersionId": v.id, "SecretString": v.value,
			"VersionStages": v.stages, "CreatedDate": float64(v.created.UnixMilli()) / 1000})
	case "PutSecretValue":
		if in.SecretString == "" {
			jsonError(w, "1.1", Fault{Status: http.StatusBadRequest, Code: "InvalidParameterException", Message: "You must provide either SecretString or SecretBinary."})
			return
		}
		v := sec.put(in.SecretString, in.ClientRequestToken)
		writeJSON(w, "1.1", map[string]any{"ARN": sec.arn, "Name": sec.name, "VersionId": v.id, "VersionStages": v.stages})
	case "DescribeSecret":
		stages := map[string][]string{}
		last := sec.created
		for _, v := range sec.versions {
			if len(v.stages) > 0 {
				stages[v.id] = v.stages
			}
			last = v.created
		}
		writeJSON(w, "1.1", map[string]any{"ARN": sec.arn, "Name": sec.name, "VersionIdsToStages": stages,
			"CreatedDate": float64(sec.created.UnixMilli()) / 1000, "LastChangedDate": float64(last.UnixMilli()) / 1000})
	default:
		jsonError(w, "1.1", Fault{Status: http.StatusBadRequest, Code: "UnknownOperationException", Message: "unsupported operation " + action})
	}
}

// Mount registers the double on st for "secretsmanager".
func (s *SecretsManager) Mount(st *Stack) { st.Handle("secretsmanager", s) }

package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/awstest"
	"github.com/cairn-sec/cairn/emulator/emutest"
)

// rotateSetup is an IAM user with one key, a queue in the emulator and a
// CLI whose config file holds the key.
type rotateSetup struct {
	c        *cli
	d        *awsDouble
	old      awstest.AccessKey
	queueURL string
	cfgPath  string
	cfgText  string
}

const rotateUser = "cairn-reader"

func newRotateSetup(t *testing.T, keyAge time.Duration) *rotateSetup {
	t.Helper()
	e := emutest.Start(t)
	w := emutest.Wire(t, e, 5, time.Minute)
	s := &rotateSetup{c: newCLI(t), d: newAWSDouble(t, e), queueURL: w.QueueURL}
	s.c.store = ""
	s.old = s.d.IAM.AddKey(rotateUser, time.Now().Add(-keyAge))
	s.cfgPath = filepath.Join(s.c.work, "cairn.yaml")
	s.cfgText = "# Cairn collector, production\n" +
		"aws:\n" +
		"  region: us-east-1\n" +
		"  endpoint_url: " + s.d.URL + "   # every service\n" +
		"  access_key_id: " + s.old.ID + "  # rotated by cairn rotate-keys\n" +
		"  secret_access_key: '" + s.old.Secret + "'\n" +
		"queues:\n" +
		"  - url: " + w.QueueURL + "\n" +
		"collector:\n" +
		"  workers: 2 # small box\n"
	if err := os.WriteFile(s.cfgPath, []byte(s.cfgText), 0o640); err != nil {
		t.Fatal(err)
	}
	return s
}

// noSecrets fails the test if any secret key appears in out.
func noSecrets(t *testing.T, out string, keys ...awstest.AccessKey) {
	t.Helper()
	for _, k := range keys {
		if k.Secret != "" && strings.Contains(out, k.Secret) {
			t.Errorf("secret of %s appears in the output", k.ID)
		}
	}
}

func TestRotateKeysConfigFile(t *testing.T) {
	s := newRotateSetup(t, 100*24*time.Hour)
	s.d.IAM.SetPropagation(2) // STS refuses the new key twice, as IAM's eventual consistency does
	r := s.c.ok("rotate-keys", "--log-level", "debug", "--log-format", "json")
	keys := s.d.IAM.Keys(rotateUser)
	if len(keys) != 1 || keys[0].ID == s.old.ID {
		t.Fatalf("keys after rotation: %+v, want one new key\n%s", keys, r)
	}
	nk := keys[0]
	if !strings.Contains(r.stdout, s.old.ID) || !strings.Contains(r.stdout, nk.ID) {
		t.Errorf("stdout does not name both keys:\n%s", r)
	}
	noSecrets(t, r.stdout+r.stderr, s.old, nk)
	b, err := os.ReadFile(s.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(strings.Replace(s.cfgText, s.old.ID, `"`+nk.ID+`"`, 1), "'"+s.old.Secret+"'", `"`+nk.Secret+`"`, 1)
	if string(b) != want {
		t.Errorf("config file:\n%s\nwant only the key changed:\n%s", b, want)
	}
	if st, _ := os.Stat(s.cfgPath); st.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v, want 0600", st.Mode().Perm())
	}
	calls := strings.Join(s.d.IAM.Calls(), ",")
	if want := "ListAccessKeys,CreateAccessKey,UpdateAccessKey,DeleteAccessKey"; calls != want {
		t.Errorf("IAM calls %s, want %s", calls, want)
	}
	// The collector's own check still works with the new file.
	s.c.ok("rotate-keys", "--dry-run")
}

func TestRotateKeysTwoKeys(t *testing.T) {
	s := newRotateSetup(t, 100*24*time.Hour)
	second := s.d.IAM.AddKey(rotateUser, time.Now().Add(-time.Hour))
	r := s.c.fails(1, "rotate-keys")
	for _, want := range []string{"two access keys", s.old.ID, second.ID, "used by Cairn", "aws iam delete-access-key --user-name " + rotateUser + " --access-key-id " + second.ID} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("error does not say %q:\n%s", want, r)
		}
	}
	if got := len(s.d.IAM.Keys(rotateUser)); got != 2 {
		t.Errorf("%d keys, want the two untouched", got)
	}
	if b, _ := os.ReadFile(s.cfgPath); string(b) != s.cfgText {
		t.Error("config file changed")
	}
}

func TestRotateKeysRollback(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(s *rotateSetup) []string
		want  string
	}{
		{"sts never knows the key", func(s *rotateSetup) []string {
			s.d.IAM.SetPropagation(1 << 30)
			return []string{"--verify-timeout", "3s"}
		}, "InvalidClientTokenId"},
		{"queue check fails", func(s *rotateSetup) []string {
			return []string{"--queue-url", strings.TrimSuffix(s.queueURL, "/") + "-missing"}
		}, "GetQueueAttributes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newRotateSetup(t, 100*24*time.Hour)
			args := append([]string{"rotate-keys"}, tc.setup(s)...)
			r := s.c.fails(1, args...)
			if !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "rollback") {
				t.Errorf("error does not say %q and rollback:\n%s", tc.want, r)
			}
			keys := s.d.IAM.Keys(rotateUser)
			if len(keys) != 1 || keys[0].ID != s.old.ID || keys[0].Status != "Active" {
				t.Errorf("keys after rollback %+v, want only the old one, active", keys)
			}
			if b, _ := os.ReadFile(s.cfgPath); string(b) != s.cfgText {
				t.Errorf("config file not restored:\n%s", b)
			}
			noSecrets(t, r.stdout+r.stderr, s.old)
		})
	}
}

func TestRotateKeysEvery(t *testing.T) {
	s := newRotateSetup(t, 10*24*time.Hour)
	r := s.c.ok("rotate-keys", "--every", "90d")
	if !strings.Contains(r.stdout, "not rotated") {
		t.Errorf("want a skip:\n%s", r)
	}
	r = s.c.ok("rotate-keys", "--every", "9d", "--dry-run")
	if !strings.Contains(r.stdout, "dry run") {
		t.Errorf("want a dry run:\n%s", r)
	}
	for _, c := range s.d.IAM.Calls() {
		if c != "ListAccessKeys" {
			t.Errorf("IAM %s called by a skip or dry run", c)
		}
	}
	if b, _ := os.ReadFile(s.cfgPath); string(b) != s.cfgText {
		t.Error("config file changed")
	}
	s.c.fails(2, "rotate-keys", "--every", "90 days")
}

func TestRotateKeysSecret(t *testing.T) {
	s := newRotateSetup(t, 100*24*time.Hour)
	admin := s.d.IAM.AddKey("cairn-admin", time.Now())
	value, _ := json.Marshal(map[string]string{"accessKeyId": s.old.ID, "secretAccessKey": s.old.Secret, "note": "kept"})
	s.d.Secrets.Put("cairn/reader-access-key", string(value))
	// The secret is read with the machine's own credentials (here an admin
	// key in the environment); the config names the secret, not the key.
	s.c.setenv("AWS_ACCESS_KEY_ID", admin.ID)
	s.c.setenv("AWS_SECRET_ACCESS_KEY", admin.Secret)
	cfg := "aws:\n  region: us-east-1\n  endpoint_url: " + s.d.URL + "\n  credentials_secret: cairn/reader-access-key\nqueues:\n  - url: " + s.queueURL + "\n"
	if err := os.WriteFile(s.cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := s.c.ok("rotate-keys", "--log-level", "debug", "--grace", "1s")
	keys := s.d.IAM.Keys(rotateUser)
	if len(keys) != 1 || keys[0].ID == s.old.ID {
		t.Fatalf("keys after rotation: %+v\n%s", keys, r)
	}
	nk := keys[0]
	noSecrets(t, r.stdout+r.stderr, s.old, nk, admin)
	if !strings.Contains(r.stderr, "waiting before deactivating the old key") {
		t.Errorf("--grace: no wait logged:\n%s", r)
	}
	cur, _ := s.d.Secrets.Current("cairn/reader-access-key")
	var got map[string]string
	if err := json.Unmarshal([]byte(cur), &got); err != nil {
		t.Fatal(err)
	}
	if got["AccessKeyId"] != nk.ID || got["SecretAccessKey"] != nk.Secret || got["note"] != "kept" || got["accessKeyId"] != "" {
		t.Errorf("secret after rotation: %v", got)
	}
	if calls := strings.Join(s.d.Secrets.Calls(), ","); !strings.Contains(calls, "PutSecretValue") {
		t.Errorf("Secrets Manager calls: %s", calls)
	}
	// The collector's credential source reads the new key from the secret.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t.Setenv("AWS_ACCESS_KEY_ID", admin.ID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", admin.Secret)
	awsCfg, err := awsauth.Load(ctx, awsauth.Options{Region: "us-east-1", EndpointURL: s.d.URL, CredentialsSecret: "cairn/reader-access-key"})
	if err != nil {
		t.Fatal(err)
	}
	who, err := sts.NewFromConfig(awsCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the secret's key: %v", err)
	}
	if !strings.HasSuffix(aws.ToString(who.Arn), ":user/"+rotateUser) {
		t.Errorf("caller %s, want user %s", aws.ToString(who.Arn), rotateUser)
	}
}

func TestRotateKeysSecretRollback(t *testing.T) {
	s := newRotateSetup(t, 100*24*time.Hour)
	admin := s.d.IAM.AddKey("cairn-admin", time.Now())
	value := `{"AccessKeyId":"` + s.old.ID + `","SecretAccessKey":"` + s.old.Secret + `"}`
	s.d.Secrets.Put("reader", value)
	s.c.setenv("AWS_ACCESS_KEY_ID", admin.ID)
	s.c.setenv("AWS_SECRET_ACCESS_KEY", admin.Secret)
	s.d.IAM.SetPropagation(1 << 30)
	r := s.c.fails(1, "rotate-keys", "--target", "secret", "--secret-id", "reader", "--endpoint-url", s.d.URL, "--region", "us-east-1", "--verify-timeout", "2s")
	if cur, _ := s.d.Secrets.Current("reader"); cur != value {
		t.Errorf("secret not restored: %s\n%s", cur, r)
	}
	if keys := s.d.IAM.Keys(rotateUser); len(keys) != 1 || keys[0].ID != s.old.ID {
		t.Errorf("keys after rollback: %+v", keys)
	}
	noSecrets(t, r.stdout+r.stderr, s.old, admin)
}

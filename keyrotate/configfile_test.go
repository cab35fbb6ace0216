package keyrotate

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var newKey = Credentials{AccessKeyID: "AKIANEWNEWNEWNEW0001", SecretAccessKey: "new/Secret+Key0123456789abcdefghijklmnop"}

func TestReplaceKey(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "aws:\n  access_key_id: AKIAOLD\n  secret_access_key: oldsecret\n",
			"aws:\n  access_key_id: \"AKIANEWNEWNEWNEW0001\"\n  secret_access_key: \"new/Secret+Key0123456789abcdefghijklmnop\"\n"},
		{"comments and other keys kept", "# top\nstore:\n  dir: /var/lib/cairn # data\naws:\n  region: us-east-1\n  secret_access_key: \"old\\\"s\" # keep me\n  access_key_id: 'AKIA''OLD'   # id\nlog:\n  level: debug\n",
			"# top\nstore:\n  dir: /var/lib/cairn # data\naws:\n  region: us-east-1\n  secret_access_key: \"new/Secret+Key0123456789abcdefghijklmnop\" # keep me\n  access_key_id: \"AKIANEWNEWNEWNEW0001\"   # id\nlog:\n  level: debug\n"},
		{"flow mapping on one line", "aws: {access_key_id: AKIAOLD, secret_access_key: old}\n",
			"aws: {access_key_id: \"AKIANEWNEWNEWNEW0001\", secret_access_key: \"new/Secret+Key0123456789abcdefghijklmnop\"}\n"},
		{"CRLF", "aws:\r\n  access_key_id: AKIAOLD\r\n  secret_access_key: old\r\n",
			"aws:\r\n  access_key_id: \"AKIANEWNEWNEWNEW0001\"\r\n  secret_access_key: \"new/Secret+Key0123456789abcdefghijklmnop\"\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReplaceKey([]byte(tc.in), newKey)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestReplaceKeyRefuses(t *testing.T) {
	for _, in := range []string{
		"store:\n  dir: x\n",                                           // no aws section
		"aws:\n  region: us-east-1\n",                                  // no keys: the collector does not read them here
		"aws:\n  access_key_id: AKIA\n",                                // half
		"aws:\n  access_key_id: |\n    AKIA\n  secret_access_key: s\n", // block scalar
		"- a\n- b\n",
		"aws: [\n",
	} {
		if _, err := ReplaceKey([]byte(in), newKey); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestConfigFileWriteUndo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cairn.yaml")
	orig := "aws:\n  access_key_id: AKIAOLD\n  secret_access_key: old # x\n"
	if err := os.WriteFile(path, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	f := ConfigFile{Path: path}
	ctx := context.Background()
	undo, err := f.Write(ctx, newKey)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := f.Read(ctx); err != nil || c != newKey {
		t.Fatalf("read back %v, %v", c, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if err := undo(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != orig {
		t.Errorf("after undo:\n%s", b)
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
}

func TestCredentialsNeverPrintSecret(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("k", "key", newKey)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("k", "key", newKey)
	fmt.Fprintf(&buf, "%v %+v %#v %s", newKey, newKey, newKey, newKey)
	if strings.Contains(buf.String(), newKey.SecretAccessKey) {
		t.Errorf("secret printed: %s", buf.String())
	}
	if !strings.Contains(buf.String(), newKey.AccessKeyID) {
		t.Errorf("key ID not printed: %s", buf.String())
	}
}

func FuzzReplaceKey(f *testing.F) {
	f.Add([]byte("aws:\n  access_key_id: AKIAOLD\n  secret_access_key: old # c\n"))
	f.Add([]byte("aws: {access_key_id: 'a''b', secret_access_key: \"x\\ty\"}\n"))
	f.Add([]byte("aws:\n  secret_access_key: s\n  access_key_id: \"\\u00e9\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := ReplaceKey(b, newKey)
		if err != nil {
			return
		}
		id, secret, err := keyFields(out)
		if err != nil || id.Value != newKey.AccessKeyID || secret.Value != newKey.SecretAccessKey {
			t.Fatalf("result does not hold the new key: %q", out)
		}
	})
}

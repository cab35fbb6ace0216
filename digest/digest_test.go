package digest_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/digest"
	"github.com/cairn-sec/cairn/digest/digesttest"
)

// samples is the AWS documentation's digest material, when present.
func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "datasets", "digest", name))
	if err != nil {
		t.Skipf("sample %s not available: %v", name, err)
	}
	return b
}

func TestParseDigestAWSSample(t *testing.T) {
	d, err := digest.Parse(sample(t, "awsdocs_digest_file_example.json"))
	if err != nil {
		t.Fatal(err)
	}
	if d.AWSAccountID != "111122223333" || d.DigestPublicKeyFingerprint != "31e8b5433410dfb61a9dc45cc65b22ff" ||
		d.IsChainStart() || len(d.LogFiles) != 1 || d.LogFiles[0].HashValue != "9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6" ||
		!d.End.Equal(time.Date(2015, 8, 17, 15, 1, 31, 0, time.UTC)) || !d.Start.Equal(d.End.Add(-time.Hour)) {
		t.Fatalf("parsed %+v", d)
	}
	// The signing string, exactly as the documentation's formula builds it.
	got := digest.SigningString(d, []byte("x"))
	wantStr := "2015-08-17T15:01:31Z\n" +
		"S3-bucket-name/AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz\n" +
		"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\n" + // SHA-256("x")
		*d.PreviousDigestSignature
	if got != wantStr {
		t.Fatalf("signing string\n%q\nwant\n%q", got, wantStr)
	}

	empty, err := digest.Parse(sample(t, "awsdocs_digest_file_example_empty.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.LogFiles) != 0 || empty.NewestEventTime != nil {
		t.Fatalf("empty digest %+v", empty)
	}
}

func TestSigningStringChainStart(t *testing.T) {
	d := &digest.Digest{DigestEndTime: "2024-01-01T01:00:00Z", DigestS3Bucket: "b", DigestS3Object: "k"}
	if got := digest.SigningString(d, nil); !strings.HasSuffix(got, "\nnull") || strings.Count(got, "\n") != 3 {
		t.Fatalf("chain start signing string %q", got)
	}
}

func TestParseDigestRejects(t *testing.T) {
	valid := `{"digestStartTime":"2024-01-01T00:00:00Z","digestEndTime":"2024-01-01T01:00:00Z","digestS3Bucket":"b",` +
		`"digestS3Object":"k","digestPublicKeyFingerprint":"f","previousDigestSignature":null,"logFiles":[]}`
	if _, err := digest.Parse([]byte(valid)); err != nil {
		t.Fatalf("valid: %v", err)
	}
	for name, doc := range map[string]string{
		"not json":          `{`,
		"no prev signature": strings.Replace(valid, `"previousDigestSignature":null,`, "", 1),
		"bad end time":      strings.Replace(valid, `01:00:00Z`, `1 am`, 1),
		"half a link":       strings.Replace(valid, `"previousDigestSignature":null`, `"previousDigestSignature":"ab"`, 1),
		"bad log hash":      strings.Replace(valid, `"logFiles":[]`, `"logFiles":[{"s3Bucket":"b","s3Object":"o","hashValue":"zz","hashAlgorithm":"SHA-256"}]`, 1),
		"other algorithm":   strings.Replace(valid, `"logFiles":[]`, `"logFiles":[{"s3Bucket":"b","s3Object":"o","hashValue":"00","hashAlgorithm":"MD5"}]`, 1),
	} {
		if _, err := digest.Parse([]byte(doc)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestParseKeyFileAWSSample(t *testing.T) {
	keys, err := digest.ParseKeyFile(sample(t, "awsdocs_list_public_keys_response.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The fingerprints are the MD5 of the DER values (checked by the
	// parser), PKCS#1 and X.509 alike.
	var fps []string
	for _, k := range keys {
		fps = append(fps, k.Fingerprint)
	}
	if strings.Join(fps, " ") != "8eba5db5bea9b640d1c96a77256fe7f2 8933b39ddc64d26d8e14ffbf6566fee4 31e8b5433410dfb61a9dc45cc65b22ff" {
		t.Fatalf("fingerprints %v", fps)
	}
	if !keys[0].ValidityStart.Equal(time.Unix(1436317441, 0)) || keys[2].Key.N.BitLen() != 2048 {
		t.Fatalf("key 0 validity %v, key 2 %d bits", keys[0].ValidityStart, keys[2].Key.N.BitLen())
	}
}

func TestParseKeyFileFormats(t *testing.T) {
	a, b := keys(t)
	pemKeys, err := digest.ParseKeyFile(append(a.PEM(), b.PEM()...))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, k := range pemKeys {
		found[k.Fingerprint] = true
	}
	if !found[a.Fingerprint] || !found[b.Fingerprint] {
		t.Fatalf("PEM keys %v lack %s or %s", found, a.Fingerprint, b.Fingerprint)
	}
	js, err := digest.ParseKeyFile(digesttest.ListPublicKeysJSON(a, b))
	if err != nil || len(js) != 2 || js[1].Fingerprint != b.Fingerprint || js[0].ValidityEnd.Year() != 2030 {
		t.Fatalf("list-public-keys JSON: %v %+v", err, js)
	}
	// A fingerprint that is not the key's MD5 is refused.
	var l map[string][]map[string]any
	json.Unmarshal(digesttest.ListPublicKeysJSON(a), &l)
	l["PublicKeyList"][0]["Fingerprint"] = b.Fingerprint
	bad, _ := json.Marshal(l)
	if _, err := digest.ParseKeyFile(bad); err == nil {
		t.Fatal("mismatched fingerprint accepted")
	}
	// X.509 SubjectPublicKeyInfo values and epoch-number times.
	spki, _ := x509.MarshalPKIXPublicKey(&a.Private.PublicKey)
	doc := `{"PublicKeyList":[{"Value":"` + base64.StdEncoding.EncodeToString(spki) + `","ValidityStartTime":1436317441.5}]}`
	ks, err := digest.ParseKeyFile([]byte(doc))
	if err != nil || ks[0].Fingerprint != digest.Fingerprint(spki) || ks[0].ValidityStart.UnixMilli() != 1436317441500 {
		t.Fatalf("SPKI: %v %+v", err, ks)
	}
	for _, junk := range []string{"", "hello", `{"PublicKeyList":[]}`, `{"PublicKeyList":[{"Value":"!!"}]}`} {
		if _, err := digest.ParseKeyFile([]byte(junk)); err == nil {
			t.Errorf("%q: parsed", junk)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	a, b := keys(t)
	d := &digest.Digest{DigestEndTime: "2024-01-01T01:00:00Z", DigestS3Bucket: "b", DigestS3Object: "k"}
	raw := []byte(`{"x":1}`)
	sig := digesttest.Sign(a, d, raw)
	if err := digest.VerifySignature(a.Public().Key, d, raw, sig); err != nil {
		t.Fatal(err)
	}
	if err := digest.VerifySignature(b.Public().Key, d, raw, sig); err == nil {
		t.Fatal("verified with the wrong key")
	}
	if err := digest.VerifySignature(a.Public().Key, d, []byte(`{"x":2}`), sig); err == nil {
		t.Fatal("verified other content")
	}
	if err := digest.VerifySignature(a.Public().Key, d, raw, "zz"); err == nil {
		t.Fatal("verified a non-hex signature")
	}
}

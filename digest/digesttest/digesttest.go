// Package digesttest writes CloudTrail log files and signed digest chains
// for tests, the way CloudTrail does, and holds them in an in-memory
// digest.Store. The signing string is built here independently of package
// digest, so a mistake there does not cancel out.
package digesttest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/digest"
)

// Key is a digest signing key pair.
type Key struct {
	Private     *rsa.PrivateKey
	Fingerprint string // hex MD5 of the PKCS#1 DER public key, as CloudTrail's
}

// NewKey generates a 2048-bit key pair.
func NewKey(t testing.TB) Key {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate RSA key: %v", err)
	}
	return Key{Private: k, Fingerprint: digest.Fingerprint(x509.MarshalPKCS1PublicKey(&k.PublicKey))}
}

// Public is the key as a KeySource returns it.
func (k Key) Public() digest.PublicKey {
	return digest.PublicKey{Fingerprint: k.Fingerprint, Key: &k.Private.PublicKey}
}

// PEM is the public key as an RSA PUBLIC KEY PEM block.
func (k Key) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.Private.PublicKey)})
}

// ListPublicKeysJSON is what `aws cloudtrail list-public-keys` prints for
// keys.
func ListPublicKeysJSON(keys ...Key) []byte {
	type entry struct {
		Value             string
		ValidityStartTime string
		ValidityEndTime   string
		Fingerprint       string
	}
	var l struct{ PublicKeyList []entry }
	for _, k := range keys {
		l.PublicKeyList = append(l.PublicKeyList, entry{
			Value:             base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&k.Private.PublicKey)),
			ValidityStartTime: "2020-01-01T00:00:00+00:00", ValidityEndTime: "2030-01-01T00:00:00+00:00",
			Fingerprint: k.Fingerprint,
		})
	}
	b, _ := json.MarshalIndent(l, "", "    ")
	return b
}

// Trail writes one trail's files for one account and region.
type Trail struct {
	Bucket, Prefix, Org, Account, Region, Name string
	Key                                        Key
	// Put stores an object with its user metadata.
	Put func(key string, body []byte, meta map[string]string)

	n                          int
	hashes                     map[string]string // log key → hex SHA-256 of its content
	prevKey, prevSig, prevHash string
}

func (tr *Trail) base(kind string) string {
	b := tr.Prefix + "AWSLogs/"
	if tr.Org != "" {
		b += tr.Org + "/"
	}
	return b + tr.Account + "/" + kind + "/" + tr.Region + "/"
}

// LogFileKey is the key of a log file delivered at at.
func (tr *Trail) LogFileKey(at time.Time) string {
	tr.n++
	return fmt.Sprintf("%s%s/%s_CloudTrail_%s_%s_%s.json.gz", tr.base("CloudTrail"), at.UTC().Format("2006/01/02"),
		tr.Account, tr.Region, at.UTC().Format("20060102T1504Z"), fmt.Sprintf("Uniq%012d", tr.n))
}

// LogFile writes a gzip log file delivered at at and returns its key.
func (tr *Trail) LogFile(at time.Time) string {
	key := tr.LogFileKey(at)
	body := fmt.Sprintf(`{"Records":[{"eventVersion":"1.08","eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":%q,"eventID":%q,"recipientAccountId":%q}]}`,
		at.UTC().Format(time.RFC3339), tr.Region, key, tr.Account)
	sum := sha256.Sum256([]byte(body))
	if tr.hashes == nil {
		tr.hashes = map[string]string{}
	}
	tr.hashes[key] = hex.EncodeToString(sum[:])
	tr.Put(key, Gzip([]byte(body)), nil)
	return key
}

// DigestKey is the key of the digest ending at end.
func (tr *Trail) DigestKey(end time.Time) string {
	return fmt.Sprintf("%s%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz", tr.base("CloudTrail-Digest"), end.UTC().Format("2006/01/02"),
		tr.Account, tr.Region, tr.Name, tr.Region, end.UTC().Format("20060102T150405Z"))
}

// Digest writes the signed digest for the hour ending at end listing
// logs (written by LogFile) and chains it to the previous one; mutate,
// when not nil, changes the digest before it is signed.
func (tr *Trail) Digest(end time.Time, mutate func(*digest.Digest), logs ...string) string {
	key := tr.DigestKey(end)
	d := &digest.Digest{
		AWSAccountID: tr.Account, DigestStartTime: end.Add(-time.Hour).UTC().Format(time.RFC3339),
		DigestEndTime: end.UTC().Format(time.RFC3339), DigestS3Bucket: tr.Bucket, DigestS3Object: key,
		DigestPublicKeyFingerprint: tr.Key.Fingerprint, DigestSignatureAlgorithm: "SHA256withRSA",
		LogFiles: []digest.LogFile{},
	}
	if tr.prevKey != "" {
		alg := "SHA-256"
		d.PreviousDigestS3Bucket, d.PreviousDigestS3Object = &tr.Bucket, ptr(tr.prevKey)
		d.PreviousDigestHashValue, d.PreviousDigestHashAlgorithm, d.PreviousDigestSignature = ptr(tr.prevHash), &alg, ptr(tr.prevSig)
	}
	for _, l := range logs {
		h, ok := tr.hashes[l]
		if !ok {
			panic("digesttest: log file not written by this Trail: " + l)
		}
		d.LogFiles = append(d.LogFiles, digest.LogFile{S3Bucket: tr.Bucket, S3Object: l, HashValue: h, HashAlgorithm: "SHA-256"})
	}
	if mutate != nil {
		mutate(d)
	}
	raw, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	sig := Sign(tr.Key, d, raw)
	sum := sha256.Sum256(raw)
	tr.prevKey, tr.prevSig, tr.prevHash = key, sig, hex.EncodeToString(sum[:])
	tr.Put(key, Gzip(raw), map[string]string{"signature": sig, "signature-algorithm": "SHA256withRSA"})
	return key
}

// Break makes the next digest start a new chain, as after StopLogging.
func (tr *Trail) Break() { tr.prevKey, tr.prevSig, tr.prevHash = "", "", "" }

// Sign returns CloudTrail's hex signature of a digest whose uncompressed
// bytes are raw.
func Sign(k Key, d *digest.Digest, raw []byte) string {
	prev := "null"
	if d.PreviousDigestSignature != nil {
		prev = *d.PreviousDigestSignature
	}
	fileSum := sha256.Sum256(raw)
	s := d.DigestEndTime + "\n" + d.DigestS3Bucket + "/" + d.DigestS3Object + "\n" + hex.EncodeToString(fileSum[:]) + "\n" + prev
	sum := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.Private, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(sig)
}

// Gzip compresses b.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func ptr(s string) *string { return &s }

// Object is a stored object.
type Object struct {
	Body []byte
	Meta map[string]string
}

// Store is an in-memory digest.Store.
type Store struct {
	mu      sync.Mutex
	objects map[string]Object // bucket/key
}

var _ digest.Store = (*Store)(nil)

// NewStore returns an empty store.
func NewStore() *Store { return &Store{objects: map[string]Object{}} }

// Putter returns a Trail.Put writing to bucket.
func (s *Store) Putter(bucket string) func(string, []byte, map[string]string) {
	return func(key string, body []byte, meta map[string]string) { s.Put(bucket, key, body, meta) }
}

// Put stores an object.
func (s *Store) Put(bucket, key string, body []byte, meta map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[bucket+"/"+key] = Object{Body: bytes.Clone(body), Meta: meta}
}

// Get returns an object.
func (s *Store) Get(bucket, key string) (Object, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[bucket+"/"+key]
	return o, ok
}

// Delete removes an object.
func (s *Store) Delete(bucket, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objects, bucket+"/"+key)
}

// Keys lists a bucket's keys in order.
func (s *Store) Keys(bucket string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.objects {
		if rest, ok := strings.CutPrefix(k, bucket+"/"); ok {
			keys = append(keys, rest)
		}
	}
	sort.Strings(keys)
	return keys
}

// List implements digest.Store.
func (s *Store) List(_ context.Context, bucket, prefix string, fn func(string) error) error {
	for _, k := range s.Keys(bucket) {
		if strings.HasPrefix(k, prefix) {
			if err := fn(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// Open implements digest.Store.
func (s *Store) Open(_ context.Context, bucket, key string) (io.ReadCloser, map[string]string, error) {
	o, ok := s.Get(bucket, key)
	if !ok {
		return nil, nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, digest.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(o.Body)), o.Meta, nil
}

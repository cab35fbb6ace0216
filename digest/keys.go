package digest

import (
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PublicKey is one CloudTrail digest signing key.
type PublicKey struct {
	// Fingerprint is the hex MD5 of the key's DER encoding, as CloudTrail
	// ListPublicKeys reports it and digests name it.
	Fingerprint   string
	Key           *rsa.PublicKey
	ValidityStart time.Time // zero when unknown
	ValidityEnd   time.Time // zero when unknown
}

// KeySource returns the public keys that can have signed the digests of a
// region between from and to (CloudTrail ListPublicKeys, or a key file).
type KeySource interface {
	PublicKeys(ctx context.Context, region string, from, to time.Time) ([]PublicKey, error)
}

// Keys is a fixed set of keys, whatever the region and time: a key file.
type Keys []PublicKey

// PublicKeys returns all the keys.
func (k Keys) PublicKeys(context.Context, string, time.Time, time.Time) ([]PublicKey, error) {
	return k, nil
}

// Fingerprint is the hex MD5 of a DER-encoded key, CloudTrail's key
// fingerprint.
func Fingerprint(der []byte) string {
	sum := md5.Sum(der)
	return hex.EncodeToString(sum[:])
}

// ParsePublicKeyDER parses a DER RSA public key: PKCS#1 RSAPublicKey (what
// ListPublicKeys documents) or X.509 SubjectPublicKeyInfo (which some
// published keys are).
func ParsePublicKeyDER(der []byte) (*rsa.PublicKey, error) {
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("neither a PKCS#1 nor an X.509 public key: %w", err)
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("not an RSA public key: %T", pub)
	}
	return k, nil
}

// NewPublicKey builds a PublicKey from its DER encoding.
func NewPublicKey(der []byte, start, end time.Time) (PublicKey, error) {
	k, err := ParsePublicKeyDER(der)
	if err != nil {
		return PublicKey{}, err
	}
	return PublicKey{Fingerprint: Fingerprint(der), Key: k, ValidityStart: start, ValidityEnd: end}, nil
}

// ParseKeyFile reads public keys from a PEM file (RSA PUBLIC KEY or
// PUBLIC KEY blocks) or from the JSON `aws cloudtrail list-public-keys`
// prints ({"PublicKeyList": [{"Value": base64 DER, "Fingerprint", ...}]}).
// A PEM key is indexed under the fingerprint of its PKCS#1 and of its
// X.509 encoding, since a file does not say which one CloudTrail hashed.
func ParseKeyFile(b []byte) (Keys, error) {
	trimmed := strings.TrimSpace(string(b))
	if strings.HasPrefix(trimmed, "{") {
		return parseKeyListJSON([]byte(trimmed))
	}
	var keys Keys
	rest := b
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "RSA PUBLIC KEY" && block.Type != "PUBLIC KEY" {
			continue
		}
		k, err := ParsePublicKeyDER(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %q: %w", block.Type, err)
		}
		pkix, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return nil, fmt.Errorf("PEM block %q: %w", block.Type, err)
		}
		for _, der := range [][]byte{x509.MarshalPKCS1PublicKey(k), pkix} {
			keys = append(keys, PublicKey{Fingerprint: Fingerprint(der), Key: k})
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no public key: want PEM (RSA PUBLIC KEY or PUBLIC KEY) or list-public-keys JSON")
	}
	return keys, nil
}

// keyListJSON is `aws cloudtrail list-public-keys` output. encoding/json
// matches names case-insensitively, so the documentation's publicKeyList
// works too.
type keyListJSON struct {
	PublicKeyList []struct {
		Value             string          `json:"Value"`
		Fingerprint       string          `json:"Fingerprint"`
		ValidityStartTime json.RawMessage `json:"ValidityStartTime"`
		ValidityEndTime   json.RawMessage `json:"ValidityEndTime"`
	} `json:"PublicKeyList"`
}

func parseKeyListJSON(b []byte) (Keys, error) {
	var l keyListJSON
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("list-public-keys JSON: %w", err)
	}
	var keys Keys
	for i, e := range l.PublicKeyList {
		der, err := base64.StdEncoding.DecodeString(e.Value)
		if err != nil {
			return nil, fmt.Errorf("PublicKeyList[%d].Value: %w", i, err)
		}
		start, err := parseKeyTime(e.ValidityStartTime)
		if err != nil {
			return nil, fmt.Errorf("PublicKeyList[%d].ValidityStartTime: %w", i, err)
		}
		end, err := parseKeyTime(e.ValidityEndTime)
		if err != nil {
			return nil, fmt.Errorf("PublicKeyList[%d].ValidityEndTime: %w", i, err)
		}
		k, err := NewPublicKey(der, start, end)
		if err != nil {
			return nil, fmt.Errorf("PublicKeyList[%d]: %w", i, err)
		}
		if e.Fingerprint != "" && !strings.EqualFold(e.Fingerprint, k.Fingerprint) {
			return nil, fmt.Errorf("PublicKeyList[%d]: Fingerprint %s is not the MD5 of Value (%s)", i, e.Fingerprint, k.Fingerprint)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("list-public-keys JSON: empty PublicKeyList")
	}
	return keys, nil
}

// parseKeyTime reads a validity time the CLI prints: epoch seconds as a
// number or string ("1436317441.0"), or an ISO 8601 timestamp.
func parseKeyTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return time.Time{}, err
	}
	var s string
	switch x := v.(type) {
	case float64:
		return time.Unix(0, int64(x*1e9)).UTC(), nil
	case string:
		s = x
	default:
		return time.Time{}, fmt.Errorf("unexpected %s", raw)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Unix(0, int64(f*1e9)).UTC(), nil
	}
	return time.Parse(time.RFC3339, s)
}

// ErrSignature marks a digest whose signature does not verify.
var ErrSignature = errors.New("signature does not verify")

// VerifySignature checks a hex signature (x-amz-meta-signature) over the
// digest's signing string with key.
func VerifySignature(key *rsa.PublicKey, d *Digest, raw []byte, signatureHex string) error {
	sig, err := hex.DecodeString(strings.TrimSpace(signatureHex))
	if err != nil {
		return fmt.Errorf("%w: signature is not hex: %w", ErrSignature, err)
	}
	sum := sha256.Sum256([]byte(SigningString(d, raw)))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return nil
}

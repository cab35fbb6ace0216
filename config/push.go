package config

import (
	"fmt"
	"regexp"
)

// Push configures the push endpoints of cairn serve (and of cairn collect
// --http-addr): Kinesis Data Firehose HTTP endpoint delivery and the
// /v1/logs JSON batch endpoint. An endpoint is on when it has a key or a
// token; with any on, cairn serve becomes the store's writer.
type Push struct {
	Firehose PushFirehose `yaml:"firehose"`
	Logs     PushLogs     `yaml:"logs"`
}

// PushFirehose configures POST /firehose/cwlogs and /firehose/raw.
type PushFirehose struct {
	// AccessKeys are the accepted X-Amz-Firehose-Access-Key values, kept
	// hashed (sha256) or read from an environment variable at start (env).
	AccessKeys []PushSecret `yaml:"access_keys"`
	MaxBody    ByteSize     `yaml:"max_body"`    // request body as received; default 64MiB (Firehose's limit)
	MaxDecoded ByteSize     `yaml:"max_decoded"` // after gunzip of the body and of every record; default 256MiB
	MaxRecords int          `yaml:"max_records"` // records per request; default 10000 (Firehose's limit)
}

// PushLogs configures POST /v1/logs.
type PushLogs struct {
	// Tokens are the accepted bearer tokens of forwarders; they are not
	// API tokens (a forwarder cannot query) and API tokens cannot push.
	Tokens     []PushSecret `yaml:"tokens"`
	MaxBody    ByteSize     `yaml:"max_body"`    // default 16MiB
	MaxDecoded ByteSize     `yaml:"max_decoded"` // after gunzip; default 64MiB
	MaxEntries int          `yaml:"max_entries"` // log entries per request; default 10000
}

// PushSecret is an accepted key or token: a name for logs and either the
// hex SHA-256 of the secret (cairn token new --for firehose|logs prints
// it) or the name of an environment variable holding it in plain (hashed
// at start, never logged).
type PushSecret struct {
	Name   string `yaml:"name"`
	SHA256 string `yaml:"sha256"`
	Env    string `yaml:"env"`
}

// DefaultPush returns the push defaults: both endpoints off, Firehose's
// own limits.
func DefaultPush() Push {
	return Push{
		Firehose: PushFirehose{MaxBody: 64 << 20, MaxDecoded: 256 << 20, MaxRecords: 10000},
		Logs:     PushLogs{MaxBody: 16 << 20, MaxDecoded: 64 << 20, MaxEntries: 10000},
	}
}

// Enabled reports whether any push endpoint is configured.
func (p Push) Enabled() bool {
	return len(p.Firehose.AccessKeys) > 0 || len(p.Logs.Tokens) > 0
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (p *Push) validate() []error {
	var errs []error
	errs = append(errs, validateSecrets("api.push.firehose.access_keys", p.Firehose.AccessKeys)...)
	errs = append(errs, validateSecrets("api.push.logs.tokens", p.Logs.Tokens)...)
	errs = append(errs, validateLimits("api.push.firehose", p.Firehose.MaxBody, p.Firehose.MaxDecoded, p.Firehose.MaxRecords, "max_records")...)
	errs = append(errs, validateLimits("api.push.logs", p.Logs.MaxBody, p.Logs.MaxDecoded, p.Logs.MaxEntries, "max_entries")...)
	return errs
}

func validateSecrets(path string, secrets []PushSecret) []error {
	var errs []error
	names := map[string]bool{}
	for i, s := range secrets {
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("%s[%d].name is empty", path, i))
		case names[s.Name]:
			errs = append(errs, fmt.Errorf("%s[%d].name %q is used twice", path, i, s.Name))
		}
		names[s.Name] = true
		switch {
		case s.SHA256 != "" && s.Env != "":
			errs = append(errs, fmt.Errorf("%s[%d]: give sha256 or env, not both", path, i))
		case s.SHA256 == "" && s.Env == "":
			errs = append(errs, fmt.Errorf("%s[%d]: give sha256 (the secret's SHA-256) or env (a variable holding it)", path, i))
		case s.SHA256 != "" && !sha256Hex.MatchString(s.SHA256):
			errs = append(errs, fmt.Errorf("%s[%d].sha256: want 64 hex digits, the SHA-256 of the secret (cairn token hash prints it), never the secret itself", path, i))
		case s.Env != "" && !envName.MatchString(s.Env):
			errs = append(errs, fmt.Errorf("%s[%d].env %q: want an environment variable name", path, i, s.Env))
		}
	}
	return errs
}

func validateLimits(path string, body, decoded ByteSize, n int, nName string) []error {
	var errs []error
	if body < 1<<10 || body > 1<<30 {
		errs = append(errs, fmt.Errorf("%s.max_body %s: must be 1KiB..1GiB", path, body))
	}
	if decoded < body || decoded > 4<<30 {
		errs = append(errs, fmt.Errorf("%s.max_decoded %s: must be at least max_body and at most 4GiB", path, decoded))
	}
	if n < 1 || n > 1_000_000 {
		errs = append(errs, fmt.Errorf("%s.%s %d: must be 1..1000000", path, nName, n))
	}
	return errs
}

package secretsmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/keyrotate"
)

// KeyTarget is a secret holding {"AccessKeyId","SecretAccessKey"}, which
// the collector reads (aws.credentials_secret). Write puts a new version
// (it becomes AWSCURRENT, the previous AWSPREVIOUS), keeping any other
// fields of the JSON; undo puts the previous value back.
type KeyTarget struct {
	c  *secretsmanager.Client
	id string
}

// New returns the target for secret id (name or ARN).
func New(cfg aws.Config, id string) *KeyTarget {
	return &KeyTarget{c: secretsmanager.NewFromConfig(cfg), id: id}
}

// Describe names the secret.
func (t *KeyTarget) Describe() string { return "secret " + t.id }

func (t *KeyTarget) current(ctx context.Context) (string, error) {
	out, err := t.c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(t.id)})
	if err != nil {
		return "", fmt.Errorf("secretsmanager GetSecretValue %s: %w", t.id, awsauth.Classify(err))
	}
	return aws.ToString(out.SecretString), nil
}

// Read returns the key in the secret.
func (t *KeyTarget) Read(ctx context.Context) (keyrotate.Credentials, error) {
	s, err := t.current(ctx)
	if err != nil {
		return keyrotate.Credentials{}, err
	}
	k, err := awsauth.ParseKeySecret(s)
	if err != nil {
		return keyrotate.Credentials{}, fmt.Errorf("secret %s: %w", t.id, err)
	}
	return keyrotate.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey}, nil
}

// Write stores c as the secret's current value.
func (t *KeyTarget) Write(ctx context.Context, c keyrotate.Credentials) (func(context.Context) error, error) {
	old, err := t.current(ctx)
	if err != nil {
		return nil, err
	}
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal([]byte(old), &fields); err != nil {
		return nil, fmt.Errorf("secret %s: not a JSON object", t.id)
	}
	for k := range fields {
		if l := strings.ToLower(k); l == "accesskeyid" || l == "secretaccesskey" {
			delete(fields, k)
		}
	}
	fields["AccessKeyId"], _ = json.Marshal(c.AccessKeyID)
	fields["SecretAccessKey"], _ = json.Marshal(c.SecretAccessKey)
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, errors.New("encode secret")
	}
	if err := t.put(ctx, string(b)); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return t.put(ctx, old) }, nil
}

func (t *KeyTarget) put(ctx context.Context, value string) error {
	if _, err := t.c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(t.id), SecretString: aws.String(value)}); err != nil {
		return fmt.Errorf("secretsmanager PutSecretValue %s: %w", t.id, awsauth.Classify(err))
	}
	return nil
}

package awsauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretRefresh is how long credentials read from a Secrets Manager secret
// are used before the secret is read again, so a running collector picks
// up a rotated key.
const SecretRefresh = 5 * time.Minute

// KeySecret is the JSON a credentials secret holds. Field names match
// case-insensitively, so the templates' {"accessKeyId","secretAccessKey"}
// reads too.
type KeySecret struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

// ParseKeySecret reads a credentials secret's JSON. Errors never quote the
// secret.
func ParseKeySecret(s string) (KeySecret, error) {
	var k KeySecret
	if err := json.Unmarshal([]byte(s), &k); err != nil {
		return KeySecret{}, errors.New(`secret is not JSON {"AccessKeyId":…,"SecretAccessKey":…}`)
	}
	k.AccessKeyID, k.SecretAccessKey = strings.TrimSpace(k.AccessKeyID), strings.TrimSpace(k.SecretAccessKey)
	if k.AccessKeyID == "" || k.SecretAccessKey == "" {
		return KeySecret{}, errors.New("secret lacks AccessKeyId or SecretAccessKey")
	}
	return k, nil
}

// secretProvider reads an access key from a Secrets Manager secret with the
// base configuration's credentials.
type secretProvider struct {
	client  *secretsmanager.Client
	id      string
	refresh time.Duration
}

func (p secretProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	out, err := p.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(p.id)})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("read credentials secret %s: %w", p.id, err)
	}
	k, err := ParseKeySecret(aws.ToString(out.SecretString))
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("credentials secret %s: %w", p.id, err)
	}
	return aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey, Source: "SecretsManager",
		CanExpire: true, Expires: time.Now().Add(p.refresh)}, nil
}

// credentialsFromSecret replaces cfg's credentials with the key stored in
// the secret id, read with cfg's credentials and re-read every refresh
// (SecretRefresh when 0).
func credentialsFromSecret(cfg *aws.Config, id string, refresh time.Duration) {
	if refresh <= 0 {
		refresh = SecretRefresh
	}
	client := secretsmanager.NewFromConfig(cfg.Copy())
	cfg.Credentials = aws.NewCredentialsCache(secretProvider{client: client, id: id, refresh: refresh})
}

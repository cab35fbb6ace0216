package iam

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/keyrotate"
)

// Keys manages an IAM user's access keys.
type Keys struct{ c *iam.Client }

// New returns Keys calling IAM with cfg.
func New(cfg aws.Config) *Keys { return &Keys{c: iam.NewFromConfig(cfg)} }

// ListAccessKeys lists user's keys.
func (k *Keys) ListAccessKeys(ctx context.Context, user string) ([]keyrotate.Key, error) {
	var out []keyrotate.Key
	p := iam.NewListAccessKeysPaginator(k.c, &iam.ListAccessKeysInput{UserName: aws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListAccessKeys %s: %w", user, awsauth.Classify(err))
		}
		for _, m := range page.AccessKeyMetadata {
			out = append(out, keyrotate.Key{ID: aws.ToString(m.AccessKeyId), Active: m.Status == types.StatusTypeActive, Created: aws.ToTime(m.CreateDate)})
		}
	}
	return out, nil
}

// CreateAccessKey creates a key for user.
func (k *Keys) CreateAccessKey(ctx context.Context, user string) (keyrotate.Credentials, error) {
	out, err := k.c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		return keyrotate.Credentials{}, fmt.Errorf("iam CreateAccessKey %s: %w", user, awsauth.Classify(err))
	}
	return keyrotate.Credentials{AccessKeyID: aws.ToString(out.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(out.AccessKey.SecretAccessKey)}, nil
}

// DeactivateAccessKey sets a key Inactive.
func (k *Keys) DeactivateAccessKey(ctx context.Context, user, id string) error {
	_, err := k.c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(user), AccessKeyId: aws.String(id), Status: types.StatusTypeInactive})
	if err != nil {
		return fmt.Errorf("iam UpdateAccessKey %s %s Inactive: %w", user, id, awsauth.Classify(err))
	}
	return nil
}

// DeleteAccessKey deletes a key.
func (k *Keys) DeleteAccessKey(ctx context.Context, user, id string) error {
	_, err := k.c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(user), AccessKeyId: aws.String(id)})
	if err != nil {
		return fmt.Errorf("iam DeleteAccessKey %s %s: %w", user, id, awsauth.Classify(err))
	}
	return nil
}

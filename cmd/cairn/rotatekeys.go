package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/iam"
	"github.com/cairn-sec/cairn/keyrotate"
	"github.com/cairn-sec/cairn/secretsmanager"
)

type rotateOptions struct {
	aws           awsFlags
	user          string
	target        string
	secretID      string
	every         string
	dryRun        bool
	grace         time.Duration
	verifyTimeout time.Duration
}

func newRotateKeysCommand(g *globals) *cobra.Command {
	o := &rotateOptions{}
	cmd := &cobra.Command{
		Use:   "rotate-keys",
		Short: "Rotate the collector's IAM user access key (create, store, verify, then retire the old one)",
		Long: `Rotate the static access key of the IAM user the collector authenticates as:
create a new key, write it where the collector reads it (the config file's
aws.access_key_id/secret_access_key, or the Secrets Manager secret named by
aws.credentials_secret), check it works (STS GetCallerIdentity names the same
user, then GetQueueAttributes on each configured queue), then deactivate and
delete the old key. Any failure before the new key is verified deletes it and
restores the previous value. Refuses when the user already has two keys.

--every 90d makes it a scheduled job: it exits 0 without change while the key
in use is younger than that, so a daily cron job or systemd timer can call it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRotateKeys(cmd.Context(), cmd.OutOrStdout(), g, o)
		},
	}
	o.aws.register(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&o.aws.queueURLs, "queue-url", nil, "queue to check the new key against (default: the configured queues)")
	f.StringVar(&o.user, "user", "", "IAM user (default: rotate.user, else the user the current key belongs to)")
	f.StringVar(&o.target, "target", "", "where the collector reads its key: config or secret (default: secret when aws.credentials_secret is set)")
	f.StringVar(&o.secretID, "secret-id", "", "Secrets Manager secret holding the key (default: aws.credentials_secret)")
	f.StringVar(&o.every, "every", "", "rotate only when the key in use is at least this old, e.g. 90d (default: rotate.every; empty: always)")
	f.BoolVar(&o.dryRun, "dry-run", false, "check and say what would be done, change nothing")
	f.DurationVar(&o.grace, "grace", -1, "wait this long after verifying before deactivating the old key (default: rotate.grace)")
	f.DurationVar(&o.verifyTimeout, "verify-timeout", 2*time.Minute, "how long to wait for IAM to propagate the new key")
	return cmd
}

func runRotateKeys(ctx context.Context, stdout io.Writer, g *globals, o *rotateOptions) error {
	cfg := g.cfg
	cfg.AWS = o.aws.merge(cfg.AWS)
	if o.secretID != "" {
		cfg.AWS.CredentialsSecret = o.secretID
	}
	if o.user != "" {
		cfg.Rotate.User = o.user
	}
	if o.every != "" {
		cfg.Rotate.Every = o.every
	}
	if o.grace >= 0 {
		cfg.Rotate.Grace = o.grace
	}
	if err := cfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	var every time.Duration
	if cfg.Rotate.Every != "" {
		every, _ = config.ParsePeriod(cfg.Rotate.Every)
	}
	queues := o.aws.queueURLs
	for _, q := range cfg.Queues {
		queues = append(queues, q.URL)
	}
	awsCfg, err := awsauth.Load(ctx, authOptions(cfg.AWS, config.Queue{}))
	if err != nil {
		return err
	}
	target, err := rotateTarget(ctx, g, o.target, cfg.AWS)
	if err != nil {
		return err
	}
	who, err := sts.NewFromConfig(awsCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("sts GetCallerIdentity with the current credentials: %w", awsauth.Classify(err))
	}
	callerARN := aws.ToString(who.Arn)
	user := cfg.Rotate.User
	if user == "" {
		name, ok := iamUserName(callerARN)
		if !ok {
			return usageError("the current credentials are %s, not an IAM user: give --user (or rotate.user)", callerARN)
		}
		user = name
	}
	opts := keyrotate.Options{
		User: user, IAM: iam.New(awsCfg), Target: target,
		Verify: iam.Verifier{Base: awsCfg, QueueURLs: queues, Timeout: o.verifyTimeout},
		Every:  every, DryRun: o.dryRun, Grace: cfg.Rotate.Grace, Log: g.log,
	}
	if name, ok := iamUserName(callerARN); ok && name == user {
		// Rotating its own key: once the old key is inactive it can no
		// longer sign, so the new key retires it.
		opts.Finish = func(c keyrotate.Credentials) (keyrotate.IAM, error) {
			nc := awsCfg.Copy()
			nc.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, "")
			return iam.New(nc), nil
		}
	}
	res, err := keyrotate.Rotate(ctx, opts)
	if err != nil {
		return err
	}
	switch {
	case res.Skipped:
		fmt.Fprintf(stdout, "key %s of %s is %s old, younger than %s: not rotated\n", res.OldKey, user, days(res.OldAge), cfg.Rotate.Every)
	case res.DryRun:
		fmt.Fprintf(stdout, "dry run: would replace key %s of %s (%s old) in %s\n", res.OldKey, user, days(res.OldAge), target.Describe())
	default:
		fmt.Fprintf(stdout, "rotated %s: %s → %s in %s\n", user, res.OldKey, res.NewKey, target.Describe())
	}
	return nil
}

// rotateTarget picks where the collector reads its key.
func rotateTarget(ctx context.Context, g *globals, kind string, c config.AWS) (keyrotate.Target, error) {
	if kind == "" {
		kind = "config"
		if c.CredentialsSecret != "" {
			kind = "secret"
		}
	}
	switch kind {
	case "secret":
		if c.CredentialsSecret == "" {
			return nil, usageError("--target secret needs --secret-id or aws.credentials_secret")
		}
		// The secret is read with the credentials that read it for the collector.
		o := authOptions(c, config.Queue{})
		o.CredentialsSecret, o.RoleARN = "", ""
		readerCfg, err := awsauth.Load(ctx, o)
		if err != nil {
			return nil, err
		}
		return secretsmanager.New(readerCfg, c.CredentialsSecret), nil
	case "config":
		path := configFilePath(g)
		if _, err := os.Stat(path); err != nil {
			return nil, usageError("--target config: %v (give --config, or --target secret)", err)
		}
		if os.Getenv("CAIRN_AWS_ACCESS_KEY_ID") != "" {
			return nil, usageError("--target config: CAIRN_AWS_ACCESS_KEY_ID overrides the config file's key; rotate where that variable is set instead")
		}
		return keyrotate.ConfigFile{Path: path}, nil
	}
	return nil, usageError("--target %q: want config or secret", kind)
}

// configFilePath is the config file the command was started with.
func configFilePath(g *globals) string {
	if g.configPath != "" {
		return g.configPath
	}
	if p := os.Getenv("CAIRN_CONFIG"); p != "" {
		return p
	}
	return "cairn.yaml"
}

// iamUserName returns NAME of arn:PARTITION:iam::ACCOUNT:user/PATH/NAME.
func iamUserName(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "iam" || !strings.HasPrefix(parts[5], "user/") {
		return "", false
	}
	return parts[5][strings.LastIndex(parts[5], "/")+1:], true
}

func days(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	return d.Round(time.Minute).String()
}

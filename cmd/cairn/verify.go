package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/awsauth"
	"github.com/cairn-sec/cairn/cloudtrailapi"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/digest"
	"github.com/cairn-sec/cairn/s3"
)

type verifyOptions struct {
	aws         awsFlags
	from, to    string
	publicKey   string
	format      string
	concurrency int
}

func newVerifyCommand(g *globals) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify s3://bucket[/prefix]",
		Short: "Verify CloudTrail log file integrity with the trail's signed digest files",
		Long: `Verify CloudTrail log file integrity the way AWS documents it: the SHA256withRSA
signature of every digest file (key chosen by fingerprint, from CloudTrail
ListPublicKeys in the digest's region or from --public-key), the chain of
digests (previousDigestSignature), and the SHA-256 of every log file a digest
lists. Reports, per account and region, modified, missing and unlisted log
files, invalid and missing digests and chain gaps. Exits 1 when anything is
invalid or missing.

--from/--to bound the log files by delivery time (RFC 3339, YYYY-MM-DDTHH:MM
or YYYY-MM-DD, UTC; --to YYYY-MM-DD is inclusive); digests ending up to two
hours after --to are read too, since a log file is listed by the digest
after it. --public-key takes a PEM file or the JSON
"aws cloudtrail list-public-keys" prints.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("verify takes one s3://bucket[/prefix], got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), cmd.OutOrStdout(), g, o, args[0])
		},
	}
	o.aws.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "first log file delivery time to check (default: all)")
	f.StringVar(&o.to, "to", "", "last log file delivery time to check (default: all)")
	f.StringVar(&o.publicKey, "public-key", "", "public keys: PEM, or list-public-keys JSON (default: CloudTrail ListPublicKeys)")
	f.StringVar(&o.format, "format", "table", "output format: table or json")
	f.IntVar(&o.concurrency, "concurrency", 8, "objects read at once")
	return cmd
}

func runVerify(ctx context.Context, stdout io.Writer, g *globals, o *verifyOptions, target string) error {
	rest, ok := strings.CutPrefix(target, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return usageError("%q: want s3://bucket[/prefix]", target)
	}
	if o.format != "table" && o.format != "json" {
		return usageError("--format %q: want table or json", o.format)
	}
	from, err := parseVerifyTime(o.from, false)
	if err != nil {
		return usageError("--from: %v", err)
	}
	to, err := parseVerifyTime(o.to, true)
	if err != nil {
		return usageError("--to: %v", err)
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return usageError("--to %s is before --from %s", o.to, o.from)
	}
	var keys digest.KeySource
	if o.publicKey != "" {
		b, err := os.ReadFile(o.publicKey)
		if err != nil {
			return usageError("--public-key: %v", err)
		}
		k, err := digest.ParseKeyFile(b)
		if err != nil {
			return usageError("--public-key %s: %v", o.publicKey, err)
		}
		keys = k
	}
	cfg := o.aws.merge(g.cfg.AWS)
	awsCfg, err := awsauth.Load(ctx, authOptions(cfg, config.Queue{}))
	if err != nil {
		return err
	}
	if keys == nil {
		keys = cloudtrailapi.New(awsCfg)
	}
	r, err := digest.Verify(ctx, digest.Options{
		Bucket: bucket, Prefix: prefix, From: from, To: to,
		Store: s3Store{s3.New(awsCfg, s3.Options{PathStyle: cfg.PathStyle})}, Keys: keys, Concurrency: o.concurrency,
	})
	if err != nil {
		return fmt.Errorf("verify s3://%s/%s: %w", bucket, prefix, err)
	}
	if o.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else if err := writeVerifyTable(stdout, r); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if len(r.Groups) == 0 {
		return &exitError{code: 1, err: fmt.Errorf("nothing verified: no CloudTrail digest or log files under s3://%s/%s in the range", bucket, prefix)}
	}
	if !r.OK {
		errs, _ := countProblems(r)
		return &exitError{code: 1, err: fmt.Errorf("verification failed: %d problem(s) in s3://%s/%s", errs, bucket, prefix)}
	}
	return nil
}

// parseVerifyTime reads --from/--to: RFC 3339, YYYY-MM-DDTHH:MM or
// YYYY-MM-DD (UTC). A bare date as an upper bound means its last second.
func parseVerifyTime(s string, upper bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02T15:04", s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want RFC 3339, YYYY-MM-DDTHH:MM or YYYY-MM-DD", s)
	}
	if upper {
		t = t.Add(24*time.Hour - time.Second)
	}
	return t, nil
}

// s3Store is digest.Store over Cairn's S3 adapter.
type s3Store struct{ c *s3.Client }

func (s s3Store) List(ctx context.Context, bucket, prefix string, fn func(string) error) error {
	return s.c.List(ctx, bucket, prefix, "", func(ref cairn.ObjectRef) error { return fn(ref.Key) })
}

func (s s3Store) Open(ctx context.Context, bucket, key string) (io.ReadCloser, map[string]string, error) {
	body, meta, err := s.c.Open(ctx, bucket, key)
	if errors.Is(err, cairn.ErrNotFound) {
		return nil, nil, fmt.Errorf("%w: %w", digest.ErrNotFound, err)
	}
	return body, meta, err
}

func countProblems(r *digest.Report) (errs, warnings int) {
	for _, g := range r.Groups {
		for _, p := range g.Problems {
			if p.Severity == digest.SeverityError {
				errs++
			} else {
				warnings++
			}
		}
	}
	return errs, warnings
}

// writeVerifyTable prints one row per account and region, then every
// problem, then the verdict.
func writeVerifyTable(w io.Writer, r *digest.Report) error {
	span := "all time"
	if !r.From.IsZero() || !r.To.IsZero() {
		span = fmtTime(r.From, "beginning") + " to " + fmtTime(r.To, "now")
	}
	fmt.Fprintf(w, "s3://%s/%s, log files delivered %s\n\n", r.Bucket, r.Prefix, span)
	if len(r.Groups) == 0 {
		fmt.Fprintln(w, "no CloudTrail digest or log files found")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(r.Groups) > 0 {
		fmt.Fprintln(tw, "ACCOUNT\tREGION\tTRAILS\tDIGESTS OK\tLOG FILES OK\tMISSING\tMODIFIED\tUNLISTED\tGAPS\tDIGESTED\tSTATUS")
	}
	for _, g := range r.Groups {
		status := "ok"
		switch {
		case g.Failed():
			status = "FAIL"
		case len(g.Problems) > 0:
			status = "warn"
		}
		digested := "-"
		if !g.First.IsZero() {
			digested = g.First.Format("2006-01-02T15:04Z") + " – " + g.Last.Format("2006-01-02T15:04Z")
		}
		trails := strings.Join(g.Trails, ",")
		if trails == "" {
			trails = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%d/%d\t%d\t%d\t%d\t%d\t%s\t%s\n", groupAccount(r, g), g.Region, trails,
			g.ValidDigests, g.Digests, g.ValidLogFiles, g.LogFiles, g.Count(digest.MissingLog), g.Count(digest.ModifiedLog),
			g.Unlisted, g.Gaps, digested, status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	errs, warnings := countProblems(r)
	if errs+warnings > 0 {
		fmt.Fprintln(w, "\nPROBLEMS")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tREGION\tSEVERITY\tKIND\tOBJECT\tDETAIL")
		for _, g := range r.Groups {
			for _, p := range g.Problems {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\ts3://%s/%s\t%s\n", groupAccount(r, g), g.Region, p.Severity, p.Kind, p.Bucket, p.Key, p.Detail)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	pending := 0
	for _, g := range r.Groups {
		pending += g.Pending
	}
	verdict := "OK"
	if !r.OK {
		verdict = "FAILED"
	}
	_, err := fmt.Fprintf(w, "\n%s: %d error(s), %d warning(s), %d log file(s) awaiting their digest\n", verdict, errs, warnings, pending)
	return err
}

// groupAccount names a group's account, with its organization and, when
// it is not the prefix verified, the key prefix before AWSLogs/.
func groupAccount(r *digest.Report, g *digest.Group) string {
	a := g.Account
	if g.Org != "" {
		a = g.Org + "/" + a
	}
	if g.Base != r.Prefix && g.Base != r.Prefix+"/" {
		a = g.Base + a
	}
	return a
}

func fmtTime(t time.Time, zero string) string {
	if t.IsZero() {
		return zero
	}
	return t.UTC().Format(time.RFC3339)
}

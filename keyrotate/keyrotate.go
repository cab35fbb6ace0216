package keyrotate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Credentials are an access key and its secret. They print and log with the
// secret redacted.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
}

// String shows the key ID only.
func (c Credentials) String() string { return c.AccessKeyID + " (secret redacted)" }

// GoString shows the key ID only, also for %#v.
func (c Credentials) GoString() string { return c.String() }

// LogValue logs the key ID only.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.AccessKeyID) }

// Key is an access key's metadata.
type Key struct {
	ID      string
	Active  bool
	Created time.Time
}

// IAM manages a user's access keys.
type IAM interface {
	ListAccessKeys(ctx context.Context, user string) ([]Key, error)
	CreateAccessKey(ctx context.Context, user string) (Credentials, error)
	DeactivateAccessKey(ctx context.Context, user, id string) error
	DeleteAccessKey(ctx context.Context, user, id string) error
}

// Target is where the collector reads its key.
type Target interface {
	// Describe names the target for messages, e.g. "config file cairn.yaml".
	Describe() string
	// Read returns the key stored now.
	Read(ctx context.Context) (Credentials, error)
	// Write stores c and returns how to put back what was there.
	Write(ctx context.Context, c Credentials) (undo func(context.Context) error, err error)
}

// Verifier checks that a key works for the user and the collector.
type Verifier interface {
	Verify(ctx context.Context, user string, c Credentials) error
}

// Options configure a rotation.
type Options struct {
	User   string
	IAM    IAM
	Target Target
	Verify Verifier
	// Finish, when set, returns the IAM client to deactivate and delete the
	// old key with, given the new key: a user rotating its own key cannot
	// delete the old key with the old key once it is inactive.
	Finish func(Credentials) (IAM, error)
	Every  time.Duration // > 0: rotate only when the key in use is at least this old
	DryRun bool
	// Grace is how long to wait after verification before deactivating
	// the old key, for running collectors to pick the new one up.
	Grace time.Duration
	Now   func() time.Time
	Log   *slog.Logger
}

// Result says what a rotation did.
type Result struct {
	User    string
	OldKey  string
	NewKey  string // "" when skipped or a dry run
	OldAge  time.Duration
	Skipped bool // --every: the key is younger than Every
	DryRun  bool
	Created time.Time // the new key's creation time
}

// ErrTwoKeys is returned when the user already has two access keys (IAM's
// limit), so no new one can be created.
var ErrTwoKeys = errors.New("the user already has two access keys")

// Rotate rotates the user's key. On failure before the new key is verified
// it deletes the new key and restores the target; after that point (the
// new key works and is in place) a failure to remove the old key is
// reported with what to do by hand.
func Rotate(ctx context.Context, o Options) (Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	res := Result{User: o.User, DryRun: o.DryRun}
	cur, err := o.Target.Read(ctx)
	if err != nil {
		return res, fmt.Errorf("read the key in use from %s: %w", o.Target.Describe(), err)
	}
	res.OldKey = cur.AccessKeyID
	keys, err := o.IAM.ListAccessKeys(ctx, o.User)
	if err != nil {
		return res, fmt.Errorf("list access keys of user %s: %w", o.User, err)
	}
	var old *Key
	for i := range keys {
		if keys[i].ID == cur.AccessKeyID {
			old = &keys[i]
		}
	}
	if old == nil {
		return res, fmt.Errorf("the key in %s (%s) is not an access key of IAM user %s (its keys: %s): check the user name", o.Target.Describe(), cur.AccessKeyID, o.User, describeKeys(keys, ""))
	}
	res.OldAge = o.Now().Sub(old.Created)
	if o.Every > 0 && res.OldAge < o.Every {
		res.Skipped = true
		o.Log.Info("access key is younger than the rotation period; nothing to do", "user", o.User, "key", old.ID,
			"age", res.OldAge.Round(time.Minute).String(), "every", o.Every.String())
		return res, nil
	}
	if len(keys) >= 2 {
		return res, fmt.Errorf("%w: IAM user %s has %s; IAM allows two per user. Delete the one Cairn does not use "+
			"(aws iam delete-access-key --user-name %s --access-key-id %s) and run again", ErrTwoKeys, o.User, describeKeys(keys, cur.AccessKeyID), o.User, other(keys, cur.AccessKeyID))
	}
	if o.DryRun {
		o.Log.Info("dry run: would create a new access key, write it to "+o.Target.Describe()+", verify it, then deactivate and delete the old one",
			"user", o.User, "old_key", old.ID, "age", res.OldAge.Round(time.Minute).String())
		return res, nil
	}

	nk, err := o.IAM.CreateAccessKey(ctx, o.User)
	if err != nil {
		return res, fmt.Errorf("create access key for %s: %w", o.User, err)
	}
	res.NewKey, res.Created = nk.AccessKeyID, o.Now()
	o.Log.Info("created access key", "user", o.User, "key", nk)
	// Rollback must run even when ctx is cancelled.
	rollback := func(cause error, undo func(context.Context) error) error {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		errs := []error{cause}
		if undo != nil {
			if err := undo(rctx); err != nil {
				errs = append(errs, fmt.Errorf("rollback: restore %s: %w", o.Target.Describe(), err))
			} else {
				o.Log.Info("rollback: restored the previous key", "target", o.Target.Describe(), "key", cur)
			}
		}
		if err := o.IAM.DeleteAccessKey(rctx, o.User, nk.AccessKeyID); err != nil {
			errs = append(errs, fmt.Errorf("rollback: delete new key %s (delete it by hand): %w", nk.AccessKeyID, err))
		} else {
			o.Log.Info("rollback: deleted the new access key", "user", o.User, "key", nk)
		}
		res.NewKey = ""
		return errors.Join(errs...)
	}
	undo, err := o.Target.Write(ctx, nk)
	if err != nil {
		return res, rollback(fmt.Errorf("write the new key to %s: %w", o.Target.Describe(), err), nil)
	}
	o.Log.Info("wrote the new key", "target", o.Target.Describe(), "key", nk)
	if err := o.Verify.Verify(ctx, o.User, nk); err != nil {
		return res, rollback(fmt.Errorf("verify the new key %s: %w", nk.AccessKeyID, err), undo)
	}
	o.Log.Info("verified the new key", "user", o.User, "key", nk)

	if o.Grace > 0 {
		o.Log.Info("waiting before deactivating the old key", "grace", o.Grace.String())
		select {
		case <-time.After(o.Grace):
		case <-ctx.Done():
			return res, fmt.Errorf("new key %s is in place; interrupted before deactivating the old key %s (delete it by hand): %w", nk.AccessKeyID, old.ID, ctx.Err())
		}
	}
	finish := o.IAM
	if o.Finish != nil {
		if finish, err = o.Finish(nk); err != nil {
			return res, fmt.Errorf("new key %s is in place; old key %s left active: %w", nk.AccessKeyID, old.ID, err)
		}
	}
	if err := finish.DeactivateAccessKey(ctx, o.User, old.ID); err != nil {
		return res, fmt.Errorf("new key %s is in place, but deactivating the old key %s failed (run: aws iam delete-access-key --user-name %s --access-key-id %s): %w",
			nk.AccessKeyID, old.ID, o.User, old.ID, err)
	}
	o.Log.Info("deactivated the old key", "user", o.User, "key", old.ID)
	if err := finish.DeleteAccessKey(ctx, o.User, old.ID); err != nil {
		return res, fmt.Errorf("new key %s is in place and the old key %s is inactive, but deleting it failed (run: aws iam delete-access-key --user-name %s --access-key-id %s): %w",
			nk.AccessKeyID, old.ID, o.User, old.ID, err)
	}
	o.Log.Info("deleted the old key; rotation done", "user", o.User, "old_key", old.ID, "new_key", nk.AccessKeyID)
	return res, nil
}

func describeKeys(keys []Key, inUse string) string {
	var parts []string
	for _, k := range keys {
		st := "inactive"
		if k.Active {
			st = "active"
		}
		s := fmt.Sprintf("%s (%s, created %s", k.ID, st, k.Created.UTC().Format(time.DateOnly))
		if k.ID == inUse {
			s += ", used by Cairn"
		}
		parts = append(parts, s+")")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " and ")
}

func other(keys []Key, inUse string) string {
	for _, k := range keys {
		if k.ID != inUse {
			return k.ID
		}
	}
	return "KEY_ID"
}

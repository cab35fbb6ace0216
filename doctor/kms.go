package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cairn-sec/cairn"
)

func (r *run) checkKMS(ctx context.Context) {
	if r.trail == nil || r.o.Keys == nil {
		return
	}
	id := r.trail.KMSKeyID
	if id == "" {
		r.add("kms", OK, "the trail does not encrypt its log files with KMS: nothing to decrypt", "")
		return
	}
	k, err := call(ctx, r, func(ctx context.Context) (Key, error) { return r.o.Keys.DescribeKey(ctx, id) })
	switch {
	case errors.Is(err, cairn.ErrNotFound):
		r.add("kms.key", Fail, "the trail's KMS key "+id+" does not exist: CloudTrail cannot deliver and old files cannot be decrypted",
			"point the trail at an existing customer-managed key (aws cloudtrail update-trail --kms-key-id)")
		return
	case err != nil:
		r.cannotCheck("kms.key", "the trail's KMS key", err, "kms:DescribeKey", id)
		return
	case k.Manager != "CUSTOMER":
		r.add("kms.key", Fail, "the trail's KMS key "+k.ARN+" is AWS-managed: its key policy cannot be changed to let "+r.who()+" decrypt",
			"encrypt the trail with a customer-managed key whose policy allows the reader kms:Decrypt (aws cloudtrail update-trail --kms-key-id <key-arn>)")
		return
	case k.State != "Enabled":
		r.add("kms.key", Fail, "the trail's KMS key "+k.ARN+" is "+k.State+": nothing encrypted with it can be read",
			"enable the key (aws kms enable-key) or cancel its deletion (aws kms cancel-key-deletion)")
		return
	}
	r.add("kms.key", OK, "the trail encrypts with customer-managed key "+k.ARN, "")

	p, ok := r.keyPolicy(ctx, "kms.policy", k.ARN)
	if !ok {
		return
	}
	who := r.who()
	fix := fmt.Sprintf(`add to the key policy: {"Effect":"Allow","Principal":{"AWS":"%s"},"Action":"kms:Decrypt","Resource":"*"}`, who)
	v := r.keyAllows(p, "kms:Decrypt")
	switch {
	case v.denied:
		r.add("kms.policy", Fail, "the key policy denies "+who+" kms:Decrypt (statement "+v.sid+")", "remove or narrow that Deny statement")
	case v.allowed && v.viaIAM:
		r.add("kms.policy", OK, "the key policy lets IAM policies in account "+r.caller.Account+" grant kms:Decrypt: the role's IAM policy must allow kms:Decrypt on "+k.ARN, "")
	case v.allowed:
		d := "the key policy lets " + who + " kms:Decrypt"
		if v.unknown != "" {
			d += " (condition on " + v.unknown + " not evaluated)"
		}
		r.add("kms.policy", OK, d, "")
	default:
		r.add("kms.policy", Fail, "the key policy does not let "+who+" kms:Decrypt: S3 reads of the log files fail with KMS access denied", fix)
	}
}

type keyVerdict struct {
	verdict
	viaIAM bool
}

// keyAllows evaluates a key policy for the caller's role and action.
func (r *run) keyAllows(p Policy, action string) keyVerdict {
	role := roleARN(r.caller.ARN)
	if role == "" {
		role = r.caller.ARN
	}
	acct := r.caller.Account
	matchRole := func(principal string) bool {
		if principal == role {
			return true
		}
		// A role ARN in a policy may carry a path the session ARN lacks.
		name := role[strings.LastIndex(role, "/")+1:]
		return arnPart(principal, 4) == acct && strings.HasPrefix(arnPart(principal, 5), "role/") && strings.HasSuffix(principal, "/"+name)
	}
	root := func(principal string) bool {
		return principal == acct || principal == "arn:"+arnPart(role, 1)+":iam::"+acct+":root"
	}
	keys := map[string]string{"kms:calleraccount": acct, "aws:principalaccount": acct, "aws:principalarn": role}
	var v keyVerdict
	for _, s := range p.Statements {
		if !s.allowsAction(action) {
			continue
		}
		byRole := s.hasPrincipal("AWS", matchRole)
		byRoot := s.hasPrincipal("AWS", root)
		if !byRole && !byRoot {
			continue
		}
		ok, unknown := s.conditionAllows(keys)
		if unknown != "" {
			v.unknown, ok = unknown, true
		}
		if !ok {
			continue
		}
		if strings.EqualFold(s.Effect, "Deny") {
			v.denied, v.sid = true, s.Sid
			return v
		}
		if strings.EqualFold(s.Effect, "Allow") {
			if byRole {
				v.allowed, v.viaIAM = true, false
			} else if !v.allowed {
				v.allowed, v.viaIAM = true, true
			}
		}
	}
	return v
}

// keyPolicy reads and parses a key policy; on failure it has added check's
// warning.
func (r *run) keyPolicy(ctx context.Context, check, keyARN string) (Policy, bool) {
	doc, err := call(ctx, r, func(ctx context.Context) (string, error) { return r.o.Keys.KeyPolicy(ctx, keyARN) })
	if err != nil {
		r.cannotCheck(check, "the key policy of "+keyARN, err, "kms:GetKeyPolicy", keyARN)
		return Policy{}, false
	}
	p, err := ParsePolicy(doc)
	if err != nil {
		r.add(check, Warn, "the key policy of "+keyARN+" cannot be read: "+oneLine(err), "")
		return Policy{}, false
	}
	return p, true
}

package sigma

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// pantherToSigma maps a Panther CloudTrail rule to the SigmaHQ rule(s)
// (file names) with the same intent. Panther's logic is Python we do not
// have; its labeled test events are what we compare against.
var pantherToSigma = map[string][]string{
	"AWS.Bedrock.GuardrailUpdateDelete":      {"aws_cloudtrail_bedrock_guardrail_deleted.yml", "aws_cloudtrail_bedrock_guardrail_updated.yml"},
	"AWS.CloudTrail.EnableRegion":            {"aws_cloudtrail_region_enabled.yml"},
	"AWS.CloudTrail.Stopped":                 {"aws_cloudtrail_disable_logging.yml"},
	"AWS.ConfigService.DisabledDeleted":      {"aws_config_disable_recording.yml"},
	"AWS.Console.GetSigninToken.Abuse":       {"aws_console_getsignintoken.yml"},
	"AWS.Console.LoginWithoutMFA":            {"aws_cloudtrail_console_login_success_without_mfa.yml"},
	"AWS.EC2.EBS.Encryption.Disabled":        {"aws_ec2_disable_encryption.yml"},
	"AWS.EC2.Startup.Script.Change":          {"aws_ec2_startup_script_change.yml"},
	"AWS.IAM.Backdoor.User.Keys":             {"aws_iam_backdoor_users_keys.yml"},
	"AWS.IPSet.Modified":                     {"aws_guardduty_disruption.yml"},
	"AWS.RDS.MasterPasswordUpdated":          {"aws_rds_change_master_password.yml"},
	"AWS.RDS.PublicRestore":                  {"aws_rds_public_db_restore.yml"},
	"AWS.Root.Activity":                      {"aws_root_account_usage.yml"},
	"AWS.S3.BucketDeleted":                   {"aws_cloudtrail_bucket_deleted.yml"},
	"AWS.S3.SuspendVersioning":               {"aws_disable_bucket_versioning.yml"},
	"AWS.STS.GetCallerIdentity.TruffleHog":   {"aws_sts_getcalleridentity_trufflehog.yml"},
	"AWS.STS.GetSessionToken.Misuse":         {"aws_sts_getsessiontoken_misuse.yml"},
	"AWS.SecurityHub.Finding.Evasion":        {"aws_securityhub_finding_evasion.yml"},
	"AWS.Suspicious.SAML.Activity":           {"aws_susp_saml_activity.yml"},
	"AWS.User.Login.Profile.Modified":        {"aws_update_login_profile.yml"},
	"AWS.VPCFlow.LogsDeleted":                {"aws_cloudtrail_vpc_flow_logs_deleted.yml"},
	"AWS.Lambda.UpdateFunctionConfiguration": {"aws_new_lambda_layer_attached.yml"},
}

// TestPantherAgreement runs the mapped SigmaHQ rules over Panther's labeled
// CloudTrail tests and reports how often they agree. The two rule sets
// differ in scope (Panther filters failures, service principals, …), so
// only robust properties are asserted: every mapped rule is exercised, and
// the rules whose definitions are equivalent agree on every case.
func TestPantherAgreement(t *testing.T) {
	tests := needDataset(t, "panther/panther_cloudtrail_tests.jsonl")
	dir := needDataset(t, "sigma/rules/cloud/aws/cloudtrail")
	byFile := map[string]*Rule{}
	for file := range pantherToSigmaFiles() {
		rules, errs := LoadFile(filepath.Join(dir, file), nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		byFile[file] = rules[0]
	}
	fh, err := os.Open(tests)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	type tally struct{ tp, tn, fp, fn int }
	per := map[string]*tally{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var tc struct {
			RuleID   string          `json:"rule_id"`
			Name     string          `json:"test_name"`
			Expected bool            `json:"expected_result"`
			Log      json.RawMessage `json:"log"`
		}
		if err := json.Unmarshal(sc.Bytes(), &tc); err != nil {
			t.Fatal(err)
		}
		files, ok := pantherToSigma[tc.RuleID]
		if !ok {
			continue
		}
		e, err := ParseEvent(tc.Log)
		if err != nil {
			t.Fatalf("%s/%s: %v", tc.RuleID, tc.Name, err)
		}
		got := false
		for _, f := range files {
			got = got || byFile[f].Match(e)
		}
		tl := per[tc.RuleID]
		if tl == nil {
			tl = &tally{}
			per[tc.RuleID] = tl
		}
		switch {
		case got && tc.Expected:
			tl.tp++
		case !got && !tc.Expected:
			tl.tn++
		case got:
			tl.fp++
			t.Logf("  sigma fires, panther does not: %s / %q", tc.RuleID, tc.Name)
		default:
			tl.fn++
			t.Logf("  panther fires, sigma does not: %s / %q", tc.RuleID, tc.Name)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(per))
	for id := range per {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var sum tally
	for _, id := range ids {
		tl := per[id]
		t.Logf("%-42s agree %d/%d (tp %d tn %d fp %d fn %d)", id, tl.tp+tl.tn, tl.tp+tl.tn+tl.fp+tl.fn, tl.tp, tl.tn, tl.fp, tl.fn)
		sum.tp, sum.tn, sum.fp, sum.fn = sum.tp+tl.tp, sum.tn+tl.tn, sum.fp+tl.fp, sum.fn+tl.fn
	}
	total := sum.tp + sum.tn + sum.fp + sum.fn
	t.Logf("overall: %d/%d agree (tp %d tn %d fp %d fn %d) over %d mapped rules", sum.tp+sum.tn, total, sum.tp, sum.tn, sum.fp, sum.fn, len(per))
	if len(per) != len(pantherToSigma) {
		t.Errorf("%d mapped Panther rules have tests, want %d", len(per), len(pantherToSigma))
	}
	// Exact equivalents (same events, same filters): full agreement. The
	// other disagreements are differences of rule scope, e.g. Panther's
	// EnableRegion uses eventSource account vs cloudtrail, its versioning
	// rule accepts "Disabled", its bucket rule treats errorCode "" as
	// success; SigmaHQ's backdoor-keys rule compares the arn with the
	// literal text "responseElements.accessKey.userName" (no fieldref), so
	// it fires on self-created keys.
	for _, id := range []string{"AWS.Bedrock.GuardrailUpdateDelete", "AWS.Console.GetSigninToken.Abuse",
		"AWS.EC2.EBS.Encryption.Disabled", "AWS.RDS.MasterPasswordUpdated", "AWS.RDS.PublicRestore",
		"AWS.STS.GetCallerIdentity.TruffleHog", "AWS.SecurityHub.Finding.Evasion", "AWS.VPCFlow.LogsDeleted"} {
		if tl := per[id]; tl == nil || tl.fn != 0 || tl.fp != 0 || tl.tp == 0 {
			t.Errorf("%s: %+v, want full agreement", id, tl)
		}
	}
}

func pantherToSigmaFiles() map[string]bool {
	out := map[string]bool{}
	for _, fs := range pantherToSigma {
		for _, f := range fs {
			out[f] = true
		}
	}
	return out
}

package main

import (
	"path/filepath"
	"testing"
)

// newRegionRule is a first-seen rule (cairn.new_value) with a 30-minute
// learning period.
const newRegionRule = `title: Principal in a new region
id: 11111111-0000-4000-8000-000000000003
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    userIdentity.arn|exists: true
  condition: selection
level: low
cairn:
  new_value: {fields: [userIdentity.arn, awsRegion], learning: 30m}
`

// cairn ingest raises a first-seen rule once per new combination after
// learning; cairn hunt over the whole store agrees, and a hunt whose range
// starts later learns from its start.
func TestFirstSeenIngestAndHunt(t *testing.T) {
	c := detectCLI(t)
	writeFile(t, filepath.Join(c.work, "rules", "new_region.yml"), []byte(newRegionRule))
	ingestSearchFixture(t, c) // alice and root in us-east-1 from 08:00, alice in us-west-2 a day later (s5)

	var stored []string
	for _, a := range decodeAlerts(t, c.ok("alerts", "list", "--format", "json")) {
		if a.RuleID == "11111111-0000-4000-8000-000000000003" {
			stored = append(stored, a.GroupKey+" "+a.Fields["awsRegion"]+" "+a.SampleEventIDs[0])
		}
	}
	want := "userIdentity.arn=arn:aws:iam::111122223333:user/alice|awsRegion=us-west-2 us-west-2 s5"
	if len(stored) != 1 || stored[0] != want {
		t.Fatalf("first-seen alerts %q, want [%s]", stored, want)
	}
	rules := filepath.Join(c.work, "rules", "new_region.yml")
	hunted := decodeAlerts(t, c.ok("hunt", "--format", "json", "--rules", rules))
	if len(hunted) != 1 || hunted[0].GroupKey+" "+hunted[0].Fields["awsRegion"]+" "+hunted[0].SampleEventIDs[0] != want {
		t.Errorf("hunt: %+v", hunted)
	}
	if late := decodeAlerts(t, c.ok("hunt", "--format", "json", "--rules", rules, "--from", "2024-05-01T12:00:00Z")); len(late) != 0 {
		t.Errorf("a hunt from 12:00 learns from its start, raised %+v", late)
	}
}

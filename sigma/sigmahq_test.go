package sigma

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// datasets is the shared, read-only dataset folder; tests that need it skip
// when it is absent (the package's own testdata covers the same ground).
const datasets = "../../shared/datasets/"

func needDataset(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(datasets, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("dataset %s not present", rel)
	}
	return p
}

// TestSigmaHQRulesLoad: all 57 SigmaHQ AWS CloudTrail rules load and are
// routed to CloudTrail.
func TestSigmaHQRulesLoad(t *testing.T) {
	dir := needDataset(t, "sigma/rules/cloud/aws/cloudtrail")
	rules, errs := LoadDir(dir, nil)
	for _, err := range errs {
		t.Errorf("load: %v", err)
	}
	if len(rules) != 57 {
		t.Fatalf("loaded %d rules, want 57", len(rules))
	}
	rs := NewRuleSet(rules)
	st := rs.Stats(CloudTrail)
	if st.Rules != 57 {
		t.Fatalf("%d rules apply to CloudTrail, want 57", st.Rules)
	}
	t.Logf("index: %d by eventName, %d by eventSource, %d by another field, %d unindexed", st.ByEventName, st.ByEventSource, st.ByOtherField, st.Unindexed)
	for _, r := range rules {
		if r.ID == "" || r.Author == "" || r.Level == "" {
			t.Errorf("%s: missing id/author/level", r.File)
		}
	}
}

// TestSigmaHQUnsupported: the legacy rules are refused with a message
// naming the construct (or load).
func TestSigmaHQUnsupported(t *testing.T) {
	dir := needDataset(t, "sigma/unsupported")
	files, _ := filepath.Glob(filepath.Join(dir, "cloud", "*.yml"))
	if len(files) != 8 {
		t.Fatalf("found %d unsupported rules, want 8", len(files))
	}
	for _, f := range files {
		rules, errs := LoadFile(f, nil)
		if len(errs) == 0 {
			t.Logf("%s: loads (%d rules)", filepath.Base(f), len(rules))
			continue
		}
		err := errs[0]
		msg := err.Error()
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: error is not ErrUnsupported: %v", f, err)
		}
		if !strings.HasPrefix(msg, f+":") {
			t.Errorf("error does not name file and line: %v", err)
		}
		if !strings.Contains(msg, "count()") && !strings.Contains(msg, "near") && !strings.Contains(msg, "timeframe") {
			t.Errorf("error does not name the construct: %v", err)
		}
		t.Logf("refused: %v", err)
	}
}

// TestSigmaHQPlaceholderRule: the expand rule is refused without
// placeholder values and loads with them.
func TestSigmaHQPlaceholderRule(t *testing.T) {
	dir := needDataset(t, "sigma/rules-placeholder")
	_, errs := LoadDir(dir, nil)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "%Legitimate_Countries%") {
		t.Fatalf("want one placeholder error, got %v", errs)
	}
	rules, errs := LoadDir(dir, &Options{Placeholders: map[string][]string{
		"Legitimate_Countries": {"US", "CA"},
		"Legitimate_IP_Ranges": {"10.*", "192.168.*"},
	}})
	if len(errs) != 0 || len(rules) != 1 {
		t.Fatalf("rules %d errs %v", len(rules), errs)
	}
	rs := NewRuleSet(rules)
	login := `{"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"},"src_country":"%s","src_ip":"%s"}`
	for _, c := range []struct {
		country, ip string
		want        bool
	}{{"US", "1.2.3.4", false}, {"FR", "10.1.2.3", false}, {"FR", "1.2.3.4", true}} {
		got, err := rs.Match([]byte(strings.Replace(strings.Replace(login, "%s", c.country, 1), "%s", c.ip, 1)))
		if err != nil || (len(got) == 1) != c.want {
			t.Errorf("%s/%s: got %v %v, want match=%v", c.country, c.ip, got, err, c.want)
		}
	}
}

// loadRecords reads every CloudTrail record of the invictus-ir dataset (or
// nil when absent).
func loadRecords(t testing.TB) [][]byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(datasets, "cloudtrail/invictus-ir-aws_dataset/*.json.gz"))
	var out [][]byte
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range doc.Records {
			out = append(out, []byte(r))
		}
	}
	return out
}

// TestSigmaHQOverDataset runs the SigmaHQ rules over the real attack
// simulation and checks a few detections that the data certainly holds.
func TestSigmaHQOverDataset(t *testing.T) {
	dir := needDataset(t, "sigma/rules/cloud/aws/cloudtrail")
	recs := loadRecords(t)
	if len(recs) == 0 {
		t.Skip("CloudTrail dataset not present")
	}
	rules, _ := LoadDir(dir, nil)
	rs := NewRuleSet(rules)
	titles := map[string]string{}
	for _, r := range rules {
		titles[r.Key()] = r.Title
	}
	hits := map[string]int{}
	for _, raw := range recs {
		ids, err := rs.Match(raw)
		if err != nil {
			t.Fatal(err)
		}
		// Cross-check the index against evaluating every rule.
		e, _ := ParseEvent(raw)
		var full []string
		for _, r := range rules {
			if r.Match(e) {
				full = append(full, r.Key())
			}
		}
		if strings.Join(full, ",") != strings.Join(ids, ",") {
			t.Fatalf("indexed %v != full scan %v for %s", ids, full, raw)
		}
		for _, id := range ids {
			hits[id]++
		}
	}
	t.Logf("%d records", len(recs))
	for id, n := range hits {
		t.Logf("%5d  %s", n, titles[id])
	}
	if len(hits) == 0 {
		t.Fatal("no SigmaHQ rule matched the attack simulation")
	}
}

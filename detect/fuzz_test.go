package detect

import (
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// FuzzEvaluate feeds arbitrary stored records (any source, any bytes)
// through the evaluator streaming and hunting share: it must never panic,
// and a record that is not JSON is counted, not matched.
func FuzzEvaluate(f *testing.F) {
	f.Add("aws.cloudtrail", []byte(`{"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","responseElements":{"ConsoleLogin":"Failure"},"sourceIPAddress":"1.2.3.4","eventID":"x"}`))
	f.Add("aws.vpcflow", []byte(`{"action":"REJECT","dstport":"22","srcaddr":"198.51.100.7"}`))
	f.Add("aws.eks.audit", []byte(`{"verb":"create","objectRef":{"resource":"pods","subresource":"exec"}}`))
	f.Add("aws.cloudtrail", []byte(`{"eventName":[`))
	f.Add("application", []byte(`[1,2,{"a":null}]`))
	e := newEngine(f, loadRules(f, "testdata/rules"))
	f.Fuzz(func(t *testing.T, source string, raw []byte) {
		corr, err := e.newCorrelator()
		if err != nil {
			t.Fatal(err)
		}
		v := &evaluator{e: e, corr: corr, out: newAlertSet(time.Hour)}
		ev := &cairn.Event{Source: source, Raw: raw, EventID: "id", Time: time.Unix(1_800_000_000, 0)}
		for range 3 {
			routed, err := v.event(ev)
			if err != nil && (!routed || v.bad == 0) {
				t.Fatalf("error %v without a counted bad record", err)
			}
		}
		for _, a := range v.out.alerts() {
			if a.Count < 1 || a.RuleID == "" || a.ID == "" || len(a.SampleEventIDs) > cairn.MaxAlertSamples {
				t.Fatalf("bad alert %+v", a)
			}
		}
	})
}

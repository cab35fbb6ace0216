package detect

import (
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/sigma"
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
		// Matched ahead of the commit (Prepare), the record gives the
		// same matches and the same error.
		pc, err := e.newCorrelator()
		if err != nil {
			t.Fatal(err)
		}
		pv := &evaluator{e: e, corr: pc, out: newAlertSet(time.Hour)}
		pev := *ev
		e.Prepare(&pev)
		for range 3 {
			pv.event(&pev)
		}
		if pv.matched != v.matched || pv.bad != v.bad || len(pv.out.alerts()) != len(v.out.alerts()) {
			t.Fatalf("prepared: %d matches, %d bad, %d alerts; unprepared: %d, %d, %d",
				pv.matched, pv.bad, len(pv.out.alerts()), v.matched, v.bad, len(v.out.alerts()))
		}
	})
}

// FuzzStoredState feeds arbitrary stored states (plain or compressed,
// correlation windows, first-seen memory and its deltas) to the code that
// reads them back after a restart: errors, never a panic.
func FuzzStoredState(f *testing.F) {
	f.Add([]byte(`{"version":1,"watermark":"2026-01-01T00:00:00Z","correlations":[]}`))
	f.Add(encodeState([]byte(`{"started":{"r":"2026-01-01T00:00:00Z"},"seen":{"r\u00001:a":"2026-01-02T00:00:00Z"}}` + string(make([]byte, 5000)))))
	f.Add([]byte("zstd:KLUv/QBYAQAAe30="))
	e := newEngine(f, loadRules(f, "testdata/rules", "testdata/firstseen"))
	f.Fuzz(func(t *testing.T, stored []byte) {
		js, err := decodeState(stored)
		if err != nil {
			return
		}
		if st, err := sigma.UnmarshalState(js); err == nil {
			if c, err := e.newCorrelator(); err == nil && c != nil {
				c.Restore(st)
			}
		}
		if seen := e.newFirstSeen(); seen != nil {
			_ = seen.UnmarshalJSON(js)
			_ = seen.ApplyDelta(js)
		}
	})
}

package watch

import (
	"time"

	"github.com/cairn-sec/cairn"
)

// Alerts turns findings into alerts: one per finding (rule
// watch.<code>, grouped by resource, so a drift that persists updates one
// open alert), and one per repair done or failed (rule
// watch.<code>.repair).
func Alerts(fs []Finding, now time.Time) []cairn.Alert {
	var out []cairn.Alert
	for _, f := range fs {
		fields := map[string]string{"resource": f.Resource, "message": f.Message}
		if f.Action != "" {
			fields["action"] = f.Action
		}
		a := cairn.Alert{Kind: cairn.AlertDrift, RuleID: "watch." + f.Code, Title: f.Message, Severity: f.Severity,
			Source: "cairn.watch", GroupKey: f.Resource, Fields: fields, FirstSeen: now, LastSeen: now, Count: 1, Status: cairn.AlertOpen}
		a.SetID()
		out = append(out, a)
		if !f.Repaired && f.Error == "" {
			continue
		}
		r := a
		r.RuleID, r.Severity = "watch."+f.Code+".repair", "informational"
		r.Title = "repaired: " + f.Action
		r.Fields = map[string]string{"resource": f.Resource, "action": f.Action, "result": "done"}
		if f.Error != "" {
			r.Severity, r.Title = "high", "repair failed: "+f.Action
			r.Fields["result"], r.Fields["error"] = "failed", f.Error
		}
		r.SetID()
		out = append(out, r)
	}
	return out
}

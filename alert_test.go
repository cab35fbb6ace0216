package cairn

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestAlertAbsorbs(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	base := Alert{Kind: AlertSigma, RuleID: "r", GroupKey: "g", FirstSeen: t0, LastSeen: t0.Add(10 * time.Minute), Status: AlertOpen}
	at := func(from, to time.Duration, edit func(*Alert)) *Alert {
		b := base
		b.FirstSeen, b.LastSeen = t0.Add(from), t0.Add(to)
		if edit != nil {
			edit(&b)
		}
		return &b
	}
	cases := []struct {
		name string
		a    func(*Alert)
		b    *Alert
		want bool
	}{
		{"inside", nil, at(time.Minute, 2*time.Minute, nil), true},
		{"just after the window", nil, at(70*time.Minute, 70*time.Minute, nil), true},
		{"past the window", nil, at(71*time.Minute, 71*time.Minute, nil), false},
		{"before, within the window", nil, at(-time.Hour, -time.Hour, nil), true},
		{"long before", nil, at(-2*time.Hour, -61*time.Minute, nil), false},
		{"other group", nil, at(0, 0, func(b *Alert) { b.GroupKey = "h" }), false},
		{"other rule", nil, at(0, 0, func(b *Alert) { b.RuleID = "s" }), false},
		{"other kind", nil, at(0, 0, func(b *Alert) { b.Kind = AlertIOC }), false},
		{"acknowledged absorbs", func(a *Alert) { a.Status = AlertAcknowledged }, at(0, 0, nil), true},
		{"closed does not", func(a *Alert) { a.Status = AlertClosed }, at(0, 0, nil), false},
	}
	for _, c := range cases {
		a := base
		if c.a != nil {
			c.a(&a)
		}
		if got := a.Absorbs(c.b, time.Hour); got != c.want {
			t.Errorf("%s: Absorbs = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAlertMergeAndID(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	a := Alert{Kind: AlertSigma, RuleID: "r", GroupKey: "g", FirstSeen: t0, LastSeen: t0, Count: 1, SampleEventIDs: []string{"e5"}}
	a.SetID()
	id := a.ID
	var ids []string
	for i := range 12 {
		ids = append(ids, fmt.Sprintf("e%d", i))
	}
	a.Merge(&Alert{FirstSeen: t0.Add(-time.Minute), LastSeen: t0.Add(time.Minute), Count: 12, SampleEventIDs: ids, Fields: map[string]string{"k": "v"}})
	if a.Count != 13 || !a.FirstSeen.Equal(t0.Add(-time.Minute)) || !a.LastSeen.Equal(t0.Add(time.Minute)) || a.Fields["k"] != "v" {
		t.Fatalf("merged %+v", a)
	}
	// Earlier matches come first; duplicates are dropped; at most MaxAlertSamples.
	if want := ids[:MaxAlertSamples]; !slices.Equal(a.SampleEventIDs, want) {
		t.Errorf("samples %v, want %v", a.SampleEventIDs, want)
	}
	if a.ID != id {
		t.Errorf("merge changed the ID")
	}
	b := Alert{Kind: AlertSigma, RuleID: "r", GroupKey: "g", FirstSeen: t0, SampleEventIDs: []string{"e5"}}
	b.SetID()
	if b.ID != id {
		t.Errorf("same first match, different IDs: %s %s", b.ID, id)
	}
	b.GroupKey = "h"
	b.SetID()
	if b.ID == id {
		t.Errorf("other group, same ID")
	}
	for _, s := range []string{"open", "ack", "acknowledged", "close", "closed", "OPEN"} {
		if _, err := ParseAlertStatus(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := ParseAlertStatus("pending"); err == nil {
		t.Error("pending accepted")
	}
	if SeverityRank("High") != 3 || SeverityRank("nope") != -1 {
		t.Error("severity ranks")
	}
}

// TestAlertIDStable: alert IDs are stored, so the text hashed must not
// change: the ID is "al-" and the first 10 bytes, in hex, of the SHA-256
// of kind, rule, group, first match (Unix ns) and first event, NUL
// separated. One fixed value, and random ones against that definition.
func TestAlertIDStable(t *testing.T) {
	first := time.Date(2024, 3, 1, 12, 0, 0, 5, time.UTC)
	if got, want := AlertID(AlertSigma, "r1", "111122223333|arn:aws:iam::111122223333:user/alice", first, "ev-1"), "al-f5a107f8df39371de192"; got != want {
		t.Fatalf("AlertID = %s, want %s", got, want)
	}
	r := rand.New(rand.NewPCG(1, 2))
	str := func() string {
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	}
	for range 2000 {
		kind, rule, group, ev := AlertKind(str()), str(), str(), str()
		at := time.Unix(0, r.Int64()-r.Int64())
		want := "al-" + refAlertHash(fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%s", kind, rule, group, at.UnixNano(), ev))
		if got := AlertID(kind, rule, group, at, ev); got != want {
			t.Fatalf("AlertID(%q, %q, %q, %v, %q) = %s, want %s", kind, rule, group, at, ev, got, want)
		}
	}
}

func refAlertHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:10])
}

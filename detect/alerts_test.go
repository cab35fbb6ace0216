package detect

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/sigma"
)

func TestGroupKey(t *testing.T) {
	const acct = "111122223333"
	role := "arn:aws:iam::" + acct + ":role/deploy"
	for _, c := range []struct {
		name string
		ev   cairn.Event
		want string
	}{
		{"iam user", cairn.Event{AccountID: acct, UserType: "IAMUser", UserARN: "arn:aws:iam::" + acct + ":user/alice", UserName: "alice"},
			acct + "|arn:aws:iam::" + acct + ":user/alice"},
		{"assumed-role session is its role", cairn.Event{AccountID: acct, UserType: "AssumedRole",
			UserARN: "arn:aws:sts::" + acct + ":assumed-role/deploy/i-0abc", SessionIssuerARN: role}, acct + "|" + role},
		{"session without an issuer keeps its ARN", cairn.Event{AccountID: acct, UserType: "AssumedRole",
			UserARN: "arn:aws:sts::" + acct + ":assumed-role/deploy/s"}, acct + "|arn:aws:sts::" + acct + ":assumed-role/deploy/s"},
		{"federated user keeps its own ARN", cairn.Event{AccountID: acct, UserType: "FederatedUser",
			UserARN: "arn:aws:sts::" + acct + ":federated-user/bob", SessionIssuerARN: "arn:aws:iam::" + acct + ":user/bob"},
			acct + "|arn:aws:sts::" + acct + ":federated-user/bob"},
		{"name without ARN", cairn.Event{AccountID: acct, UserName: "carol"}, acct + "|carol"},
		{"address when anonymous", cairn.Event{AccountID: acct, SourceIP: "198.51.100.7"}, acct + "|198.51.100.7"},
	} {
		if got := GroupKey(&c.ev); got != c.want {
			t.Errorf("%s: GroupKey = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestAddMatchAgreesWithAdd: gathering detection matches through addMatch
// gives the alerts that building each match's alert and adding it does,
// through out-of-order times, repeated and missing event IDs, several
// rules, accounts and principals, and more matches than samples.
func TestAddMatchAgreesWithAdd(t *testing.T) {
	r1 := &sigma.Rule{ID: "r1", Title: "one", Level: "high"}
	r2 := &sigma.Rule{ID: "r2", Title: "two", Level: "low"}
	r1bis := &sigma.Rule{ID: "r1", Title: "one again", Level: "high"} // same key as r1
	rules := []*sigma.Rule{r1, r2, r1bis}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rnd := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		window := time.Duration(1+rnd.IntN(90)) * time.Minute
		fast, slow := newAlertSet(window), newAlertSet(window)
		for range 400 {
			ev := &cairn.Event{
				Time:      t0.Add(time.Duration(rnd.IntN(6*3600)) * time.Second),
				AccountID: []string{"111111111111", "222222222222"}[rnd.IntN(2)],
				UserType:  []string{"IAMUser", "AssumedRole", ""}[rnd.IntN(3)],
				UserARN:   []string{"", "arn:a", "arn:b"}[rnd.IntN(3)],
				SourceIP:  "198.51.100." + strconv.Itoa(rnd.IntN(3)),
			}
			if ev.UserType == "AssumedRole" && rnd.IntN(2) == 0 {
				ev.SessionIssuerARN = "arn:role"
			}
			if rnd.IntN(8) > 0 {
				ev.EventID = "e" + strconv.Itoa(rnd.IntN(60))
			}
			r := rules[rnd.IntN(len(rules))]
			fast.addMatch(r, ev, GroupKey(ev))
			slow.add(detectionAlert(r, ev, GroupKey(ev)))
		}
		got, want := fast.alerts(), slow.alerts()
		if len(got) != len(want) {
			t.Fatalf("round %d: %d alerts, want %d", round, len(got), len(want))
		}
		for i := range got {
			// No samples is no samples, whether nil or empty (both are
			// stored as NULL).
			for _, a := range []*cairn.Alert{&got[i], &want[i]} {
				if len(a.SampleEventIDs) == 0 {
					a.SampleEventIDs = nil
				}
			}
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("round %d alert %d:\n got %+v\nwant %+v", round, i, got[i], want[i])
			}
		}
	}
}

package detect

import (
	"testing"

	"github.com/cairn-sec/cairn"
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

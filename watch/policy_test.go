package watch

import (
	"encoding/json"
	"testing"
)

const topicARN = "arn:aws:sns:us-east-1:000000000000:cairn-cloudtrail"

func TestAllows(t *testing.T) {
	for _, tc := range []struct {
		policy string
		want   bool
	}{
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"q","Condition":{"ArnEquals":{"aws:SourceArn":"` + topicARN + `"}}}]}`, true},
		{`{"Statement":{"Effect":"Allow","Principal":{"Service":["s3.amazonaws.com","sns.amazonaws.com"]},"Action":["sqs:*"],"Condition":{"ArnLike":{"aws:SourceArn":["x","` + topicARN + `"]}}}}`, true},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:000000000000:other"}}}]}`, false},
		{`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Condition":{"ArnEquals":{"aws:SourceArn":"` + topicARN + `"}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:ReceiveMessage","Condition":{"ArnEquals":{"aws:SourceArn":"` + topicARN + `"}}}]}`, false},
		{``, false},
		{`not json`, false},
	} {
		if got := allows(tc.policy, "sns.amazonaws.com", "sqs:SendMessage", topicARN); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.policy, got, tc.want)
		}
	}
}

func TestWithStatementKeepsOthers(t *testing.T) {
	in := `{"Version":"2012-10-17","Id":"mine","Statement":[{"Sid":"Theirs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sqs:ReceiveMessage"},{"Sid":"AllowTrailTopic","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Condition":{"ArnEquals":{"aws:SourceArn":"old"}}}]}`
	st := statement{Sid: "AllowTrailTopic", Effect: "Allow", Principal: map[string]any{"Service": "sns.amazonaws.com"}, Action: "sqs:SendMessage", Resource: "q",
		Condition: map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": topicARN}}}
	out, err := withStatement(in, st)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Id        string
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Id != "mine" || len(doc.Statement) != 2 || doc.Statement[0]["Sid"] != "Theirs" {
		t.Errorf("other statements not kept: %s", out)
	}
	if !allows(out, "sns.amazonaws.com", "sqs:SendMessage", topicARN) || allows(out, "sns.amazonaws.com", "sqs:SendMessage", "old") {
		t.Errorf("statement not replaced: %s", out)
	}
	if _, err := withStatement(`{"Statement":"x"}`, st); err == nil {
		t.Error("unreadable policy overwritten")
	}
}

func FuzzPolicy(f *testing.F) {
	f.Add(`{"Statement":[{"Sid":"a","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage"}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":"*","Action":["*"],"Condition":{"ArnLike":{"aws:SourceArn":[1,"x"]}}}}`)
	st := statement{Sid: "AllowTrailTopic", Effect: "Allow", Principal: map[string]any{"Service": "sns.amazonaws.com"}, Action: "sqs:SendMessage", Resource: "q",
		Condition: map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": topicARN}}}
	f.Fuzz(func(t *testing.T, policy string) {
		allows(policy, "sns.amazonaws.com", "sqs:SendMessage", topicARN)
		out, err := withStatement(policy, st)
		if err != nil {
			return
		}
		if !allows(out, "sns.amazonaws.com", "sqs:SendMessage", topicARN) {
			t.Fatalf("merged policy does not allow: %s", out)
		}
	})
}

package alertout

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestSlackGolden(t *testing.T) {
	sigma := sampleAlert()
	ioc := cairn.DueAlert{Alert: cairn.Alert{ID: "al-ioc1", Kind: cairn.AlertIOC, RuleID: "threat-feed", Title: "IOC: ipv4 198.51.100.1 (threat-feed) in source_ip",
		Severity: "high", GroupKey: "ipv4|198.51.100.1", Fields: map[string]string{"indicator": "198.51.100.1", "indicator_type": "ipv4", "list": "threat-feed", "field": "source_ip"},
		FirstSeen: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), LastSeen: time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC), Count: 1,
		SampleEventIDs: []string{"ev-9"}, Status: cairn.AlertOpen}}
	for name, tc := range map[string]struct {
		d      cairn.DueAlert
		resend bool
	}{
		"sigma":  {sigma, false},
		"resend": {sigma, true},
		"ioc":    {ioc, false},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(SlackMessage(tc.d, tc.resend), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "slack", name, "payload.json")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(append(got, '\n'), want) {
				t.Errorf("payload differs from %s (go test -update):\n%s", path, got)
			}
		})
	}
}

// The message as a Slack-compatible endpoint receives it: text always,
// blocks of known types, header plain text within Slack's limit.
func TestSlackReceived(t *testing.T) {
	rc := &receiver{}
	srv := newServer(t, rc)
	s := NewSlack(HTTPOptions{Name: "slack", URL: srv.URL + "/services/T/B/X"})
	if err := s.Send(context.Background(), sampleAlert(), false); err != nil {
		t.Fatal(err)
	}
	var p struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string          `json:"type"`
			Text json.RawMessage `json:"text"`
		} `json:"blocks"`
	}
	if len(rc.got) != 1 || json.Unmarshal(rc.got[0], &p) != nil {
		t.Fatalf("received %q", rc.got)
	}
	types := ""
	for _, b := range p.Blocks {
		types += b.Type + " "
	}
	if p.Text == "" || types != "header section section context " {
		t.Errorf("text %q, blocks %s", p.Text, types)
	}
}

package ioc

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cairn-sec/cairn"
)

func writeFile(t *testing.T, path, s string, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	// Explicit times: a rewrite within the file system's time resolution
	// must still be seen (the size differs in these tests anyway).
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestWatcherReload(t *testing.T) {
	dir := t.TempDir()
	plain, stix := filepath.Join(dir, "ips.txt"), filepath.Join(dir, "cti.json")
	t0 := time.Now().Add(-time.Hour)
	writeFile(t, plain, "198.51.100.1\n", t0)
	writeFile(t, stix, `{"type":"bundle","objects":[{"type":"indicator","id":"indicator--1","pattern":"[domain-name:value = 'c2.example']"}]}`, t0)
	reg := prometheus.NewRegistry()
	var logs bytes.Buffer
	w, err := NewWatcher(WatcherOptions{Lists: []ListConfig{{Name: "ips", Path: plain}, {Name: "cti", Path: stix, Format: FormatSTIX}},
		Interval: 10 * time.Millisecond, Registry: reg, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hits := func(ip string) int {
		return len(w.Set().Match(&cairn.Event{SourceIP: ip, QueryName: "www.c2.example."}, nil))
	}
	if hits("198.51.100.1") != 2 || hits("198.51.100.2") != 1 || w.Set().Len() != 2 {
		t.Fatalf("initial set: %d", w.Set().Len())
	}
	if w.Check() {
		t.Error("Check reported a change with nothing changed")
	}
	old := w.Set()

	// Changed file: picked up, the old set is untouched.
	writeFile(t, plain, "198.51.100.2\n198.51.100.3\n", t0.Add(time.Minute))
	if !w.Check() || hits("198.51.100.1") != 1 || hits("198.51.100.2") != 2 {
		t.Error("changed list not reloaded")
	}
	if len(old.Match(&cairn.Event{SourceIP: "198.51.100.1"}, nil)) != 1 {
		t.Error("an earlier set changed")
	}
	// Broken file: the previous version stays, the error is counted and logged.
	writeFile(t, stix, `{"type":"bundle","objects":[{`, t0.Add(2*time.Minute))
	if w.Check() || hits("198.51.100.9") != 1 {
		t.Error("broken list replaced the previous version")
	}
	if n := testutil.ToFloat64(w.m.reloads.WithLabelValues("cti", "error")); n != 1 {
		t.Errorf("reload errors %v", n)
	}
	if !strings.Contains(logs.String(), "keeping the previous version") || !strings.Contains(logs.String(), "cti.json") {
		t.Errorf("log: %s", logs.String())
	}
	// A removed file also keeps the previous version.
	os.Remove(plain)
	if w.Check() || hits("198.51.100.2") != 2 {
		t.Error("removed list dropped")
	}
	if n := testutil.ToFloat64(w.m.indicators.WithLabelValues("ips")); n != 2 {
		t.Errorf("indicators gauge %v", n)
	}

	// Run picks up a fixed file by itself.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	writeFile(t, stix, `{"type":"bundle","objects":[{"type":"indicator","id":"indicator--2","pattern":"[ipv4-addr:value = '198.51.100.9']"}]}`, t0.Add(3*time.Minute))
	deadline := time.Now().Add(10 * time.Second)
	for hits("198.51.100.9") != 1 || len(w.Set().Match(&cairn.Event{SourceIP: "198.51.100.9"}, nil)) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("Run did not reload")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestWatcherStartErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	writeFile(t, bad, "name\nx\n", time.Now())
	for _, lists := range [][]ListConfig{
		{{Name: "missing", Path: filepath.Join(dir, "nope.txt")}},
		{{Name: "bad", Path: bad}},
		{{Name: "a", Path: bad, Format: FormatPlain}, {Name: "a", Path: bad, Format: FormatPlain}},
	} {
		if _, err := NewWatcher(WatcherOptions{Lists: lists}); err == nil || !strings.Contains(err.Error(), "ioc list") {
			t.Errorf("%v: %v", lists, err)
		}
	}
}

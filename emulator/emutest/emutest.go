// Package emutest starts the fauxqs emulator for tests. A test that needs it
// skips when fauxqs is not installed, except under CI=true, where it fails.
package emutest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/emulator"
)

// Start runs a fresh emulator for the test and stops it at cleanup.
func Start(t testing.TB) *emulator.Emulator {
	t.Helper()
	script, err := emulator.Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("emulator required under CI: %v (run make test, which installs it)", err)
		}
		t.Skipf("emulator not installed: %v (make test installs it)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := emulator.Start(ctx, script, nil)
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { e.Stop() })
	return e
}

var seq atomic.Int64

// Wire provisions a bucket, topic, queue and DLQ with unique names.
func Wire(t testing.TB, e *emulator.Emulator, maxReceive int, visibility time.Duration) emulator.Wiring {
	t.Helper()
	name := fmt.Sprintf("t%d-%s", seq.Add(1), strings.ToLower(sanitize(t.Name())))
	if len(name) > 40 {
		name = name[:40]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := emulator.Provision(ctx, e.Config(), emulator.WiringOptions{Bucket: name, Topic: name + "-topic", Queue: name,
		MaxReceiveCount: maxReceive, Visibility: visibility})
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	return w
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

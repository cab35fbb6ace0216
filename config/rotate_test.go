package config

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "36h": 36 * time.Hour, "0d": 0, " 1d ": 24 * time.Hour} {
		if got, err := ParsePeriod(in); err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "90 days", "-1d", "1.5d", "d", "-3h"} {
		if _, err := ParsePeriod(in); err == nil {
			t.Errorf("ParsePeriod(%q): no error", in)
		}
	}
	c := Default()
	c.Rotate.Every = "soon"
	if err := c.Validate(); err == nil {
		t.Error("rotate.every soon: no error")
	}
}

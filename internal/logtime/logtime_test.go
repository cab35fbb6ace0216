package logtime

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	want := time.Date(2022, 11, 29, 0, 9, 4, 380000000, time.UTC)
	for _, s := range []string{
		"2022-11-29T00:09:04.38Z",
		"2022-11-29T01:09:04.38+01:00",
		"2022-11-29 00:09:04.38",
		"2022-11-29T00:09:04.380000",
		"2022-11-29 00:09:04,380",
		"2022/11/29 00:09:04.38",
		"1669680544.38",
		"1669680544380",
		"1669680544380000",
		"1669680544380000000",
	} {
		got, ok := Parse(s)
		if !ok || !got.Equal(want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	if got, ok := Parse("29/Nov/2022:01:09:04 +0100"); !ok || !got.Equal(want.Truncate(time.Second)) {
		t.Errorf("common log format: %v %v", got, ok)
	}
	for _, s := range []string{"", "yesterday", "12abc", "-5", "2022-13-40", "0001-01-01T00:00:00Z", "0001-01-01 00:00:00"} {
		if _, ok := Parse(s); ok {
			t.Errorf("Parse(%q) succeeded", s)
		}
	}
}

// FuzzParse checks that no input panics and that a parsed time is UTC.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2022-11-29T00:09:04.38Z", "1669680544.38", "29/Nov/2022:01:09:04 +0100", "2022-11-29 00:09:04,380", "9999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, ok := Parse(s); ok && tm.Location() != time.UTC {
			t.Fatalf("Parse(%q) = %v, not UTC", s, tm)
		}
	})
}

package loglevel

import "testing"

func TestGuess(t *testing.T) {
	for line, want := range map[string]string{
		"[ERROR] First test message":                          "ERROR",
		"E1129 00:09:04.380000      10 reflector.go:138] x":   "ERROR",
		"I1129 00:09:04.380000      10 leaderelection.go] ok": "INFO",
		"W1129 00:09:04.380000 1 warnings.go] y":              "WARN",
		`time="2022-11-29T00:09:04Z" level=warning msg="x"`:   "WARN",
		"2022-11-29 00:09:04 INFO starting":                   "INFO",
		"[2026-11-20 10:00:09] production.WARNING: disk":      "WARN",
		"some_message": "",
		"Eleven cats":  "",
	} {
		if got := Guess(line); got != want {
			t.Errorf("Guess(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"warning": "WARN", "Err": "ERROR", "3": "ERROR", "info": "INFO", "debug": "DEBUG", "nope": ""} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

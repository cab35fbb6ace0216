package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rotate configures cairn rotate-keys.
type Rotate struct {
	User  string `yaml:"user"`  // the IAM user whose key Cairn uses; default: the caller's user
	Every string `yaml:"every"` // rotate when the key is at least this old, e.g. 90d; "" = always
	// Grace: wait this long after verifying the new key before
	// deactivating the old one (collectors re-read aws.credentials_secret
	// every 5m).
	Grace time.Duration `yaml:"grace"`
}

// ParsePeriod reads a duration that may also be given in days or weeks:
// 90d, 2w, 36h.
func ParsePeriod(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("%q: want a whole number of %s, e.g. 90d", s, map[string]string{"d": "days", "w": "weeks"}[suffix])
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: want a duration such as 90d, 2w or 36h", s)
	}
	return d, nil
}

func (r *Rotate) validate() []error {
	var errs []error
	if r.Every != "" {
		if _, err := ParsePeriod(r.Every); err != nil {
			errs = append(errs, fmt.Errorf("rotate.every %v", err))
		}
	}
	if r.Grace < 0 || r.Grace > time.Hour {
		errs = append(errs, fmt.Errorf("rotate.grace %s: must be 0..1h", r.Grace))
	}
	return errs
}

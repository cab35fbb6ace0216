package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// Detect configures detection: Sigma rules evaluated on every event as it
// is stored (cairn collect, cairn ingest), alerts, and cairn hunt.
type Detect struct {
	Enabled bool `yaml:"enabled"` // default true; false: no streaming evaluation
	Shipped bool `yaml:"shipped"` // load the rule pack shipped with Cairn (default true)
	// Rules are more rule files and directories (*.yml, *.yaml); relative
	// paths in a config file are relative to the file.
	Rules []string `yaml:"rules"`
	// Suppression: matches of a rule for the same group within this window
	// update one open alert instead of creating new ones (default 1h).
	Suppression  time.Duration       `yaml:"suppression"`
	Placeholders map[string][]string `yaml:"placeholders"` // values of %name% placeholders (Sigma expand modifier)
	MaxGroups    int                 `yaml:"max_groups"`   // correlation groups kept per correlation rule (default 1000)
	MaxEntries   int                 `yaml:"max_entries"`  // events or values kept per correlation group (default 1000)
}

// DefaultDetect is detection's default configuration.
func DefaultDetect() Detect {
	return Detect{Enabled: true, Shipped: true, Suppression: time.Hour, MaxGroups: 1000, MaxEntries: 1000}
}

// resolve makes rule paths relative to the config file's directory.
func (d *Detect) resolve(configPath string) {
	for i, p := range d.Rules {
		if p != "" && !filepath.IsAbs(p) {
			d.Rules[i] = filepath.Join(filepath.Dir(configPath), p)
		}
	}
}

func (d *Detect) validate() []error {
	var errs []error
	if d.Suppression < 0 || d.Suppression > 30*24*time.Hour {
		errs = append(errs, fmt.Errorf("detect.suppression %s: must be 0..720h", d.Suppression))
	}
	if d.MaxGroups < 0 || d.MaxGroups > 1_000_000 {
		errs = append(errs, fmt.Errorf("detect.max_groups %d: must be 0..1000000", d.MaxGroups))
	}
	if d.MaxEntries < 0 || d.MaxEntries > 100_000 {
		errs = append(errs, fmt.Errorf("detect.max_entries %d: must be 0..100000", d.MaxEntries))
	}
	for i, p := range d.Rules {
		if p == "" {
			errs = append(errs, errors.New("detect.rules["+fmt.Sprint(i)+"] is empty"))
		}
	}
	return errs
}

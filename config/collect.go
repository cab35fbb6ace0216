package config

import (
	"fmt"
	"time"
)

// Collect configures what cairn collect does besides ingesting.
type Collect struct {
	// VerifyDigests verifies CloudTrail digest files as they arrive:
	// signatures, the chain, and the hash of each listed log file.
	VerifyDigests bool          `yaml:"verify_digests"`
	VerifyEvery   time.Duration `yaml:"verify_every"` // between verification rounds; default 1m
	// VerifyGrace: how long after a digest's end its log files may still
	// arrive before they are reported missing; default 2h.
	VerifyGrace time.Duration `yaml:"verify_grace"`
}

func (c *Collect) validate() []error {
	var errs []error
	if c.VerifyEvery < 0 || c.VerifyEvery > time.Hour {
		errs = append(errs, fmt.Errorf("collect.verify_every %s: must be 0..1h", c.VerifyEvery))
	}
	if c.VerifyGrace < 0 || c.VerifyGrace > 7*24*time.Hour {
		errs = append(errs, fmt.Errorf("collect.verify_grace %s: must be 0..168h", c.VerifyGrace))
	}
	return errs
}

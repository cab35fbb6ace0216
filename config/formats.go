package config

import (
	"fmt"

	"github.com/cairn-sec/cairn"
)

// Format forces the format of the objects under a bucket and key prefix
// (formats: in cairn.yaml), before their key layout and first bytes are
// looked at. Bucket "" matches every bucket, Prefix "" every key.
type Format struct {
	Bucket string `yaml:"bucket"`
	Prefix string `yaml:"prefix"`
	Format string `yaml:"format"` // cloudtrail, cloudtrail-insight, vpcflow, route53resolver, cwlogs, application, s3access, alb
}

func (c *Config) validateFormats() []error {
	var errs []error
	for i, f := range c.Formats {
		if _, err := cairn.ParseFormat(f.Format); err != nil {
			errs = append(errs, fmt.Errorf("formats[%d].format: %w", i, err))
		}
		if f.Bucket == "" && f.Prefix == "" {
			errs = append(errs, fmt.Errorf("formats[%d]: give a bucket or a prefix (a queue's format: sets the format of everything it notifies)", i))
		}
	}
	for i, q := range c.Queues {
		if q.Format == "" {
			continue
		}
		if _, err := cairn.ParseFormat(q.Format); err != nil {
			errs = append(errs, fmt.Errorf("queues[%d].format: %w", i, err))
		}
	}
	return errs
}

package main

import (
	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/ingest"
)

// formatRules turns the configuration's formats: and a queue's (or
// --format's) format into processor rules: the bucket/prefix rules first,
// then the catch-all. The configuration is validated before.
func formatRules(cfg config.Config, catchAll string) []ingest.FormatRule {
	var rules []ingest.FormatRule
	for _, f := range cfg.Formats {
		if k, err := cairn.ParseFormat(f.Format); err == nil {
			rules = append(rules, ingest.FormatRule{Bucket: f.Bucket, Prefix: f.Prefix, Kind: k})
		}
	}
	if k, err := cairn.ParseFormat(catchAll); catchAll != "" && err == nil {
		rules = append(rules, ingest.FormatRule{Kind: k})
	}
	return rules
}

package main

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/detect"
	"github.com/cairn-sec/cairn/rulepack"
	"github.com/cairn-sec/cairn/sigma"
)

// ruleOptions say which rules to load: the shipped pack (unless
// NoShipped) plus Paths, with the placeholders' values.
type ruleOptions struct {
	Paths        []string
	NoShipped    bool
	Placeholders map[string][]string
}

// loadRules is the one place rules are loaded (collect, ingest, demo,
// hunt, serve): the shipped pack plus the configured paths. A broken rule
// is reported in errs; the others load.
func loadRules(o ruleOptions) ([]*sigma.Rule, []error) {
	return rulepack.Load(rulepack.Options{Paths: o.Paths, NoShipped: o.NoShipped, Placeholders: o.Placeholders})
}

// configuredRules are the rules cairn.yaml's detect section names.
func configuredRules(c config.Detect) ruleOptions {
	return ruleOptions{Paths: c.Rules, NoShipped: !c.Shipped, Placeholders: c.Placeholders}
}

// newEngine builds the detection engine from the configuration, logging
// rules that fail to load (the others still run). It returns nil when
// detection is disabled or no rule is loaded.
func newEngine(c config.Detect, o ruleOptions, reg prometheus.Registerer, log *slog.Logger) (*detect.Engine, error) {
	if !c.Enabled {
		return nil, nil
	}
	rules, errs := loadRules(o)
	for _, err := range errs {
		log.Warn("rule not loaded", "err", err)
	}
	if len(rules) == 0 {
		if len(errs) > 0 {
			return nil, fmt.Errorf("detection: no rule loaded (%d errors; first: %v)", len(errs), errs[0])
		}
		return nil, nil
	}
	e, err := detect.New(detect.Options{Rules: rules, Suppression: c.Suppression, Registerer: reg, Log: log,
		Limits:    sigma.Limits{MaxGroups: c.MaxGroups, MaxEntries: c.MaxEntries},
		NewValues: newValues(rules, func(err error) { log.Warn("first-seen attribute not loaded", "err", err) })})
	if err != nil {
		return nil, fmt.Errorf("detection: %w", err)
	}
	if un := e.Unrouted(); len(un) > 0 {
		log.Info("rules for log sources Cairn does not collect are loaded but never match", "rules", len(un))
	}
	log.Info("detection rules loaded", "rules", len(rules), "failed", len(errs), "suppression", e.Suppression())
	return e, nil
}

// newValues reads the rules' cairn.new_value attributes (first-seen
// rules), reporting broken ones with warn: such a rule then raises no
// first-seen alert.
func newValues(rules []*sigma.Rule, warn func(error)) map[*sigma.Rule]rulepack.NewValue {
	specs, errs := rulepack.NewValues(rules)
	for _, err := range errs {
		warn(err)
	}
	return specs
}

// ruleList describes the configured rules (cairn serve's /api/v1/rules).
func ruleList(c config.Detect, log *slog.Logger) ([]detect.RuleInfo, error) {
	e, err := newEngine(c, configuredRules(c), nil, log)
	if err != nil || e == nil {
		return nil, err
	}
	return e.Rules(), nil
}

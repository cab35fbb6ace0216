package config

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"time"
)

// IOC configures indicator-of-compromise matching on ingest.
type IOC struct {
	Lists       []IOCList     `yaml:"lists"`
	Reload      time.Duration `yaml:"reload"`      // how often list files are checked for changes; default 30s
	Severity    string        `yaml:"severity"`    // of IOC alerts unless the list sets one; default high
	Suppression time.Duration `yaml:"suppression"` // sightings of one indicator within this window update one alert; default (0): detect.suppression
}

// IOCList is one indicator list file.
type IOCList struct {
	Name     string `yaml:"name"`     // the list's name, shown in alerts; default: the file name
	Path     string `yaml:"path"`     // relative paths are relative to the config file
	Format   string `yaml:"format"`   // auto (default), plain, csv or stix
	Severity string `yaml:"severity"` // of this list's alerts
}

// Output is one alert output.
type Output struct {
	Name        string        `yaml:"name"` // key of its delivery state; default: the type
	Type        string        `yaml:"type"` // webhook, slack or log
	URL         string        `yaml:"url"`  // webhook and slack
	Secret      string        `yaml:"secret"`
	SecretEnv   string        `yaml:"secret_env"`   // or: the environment variable holding the secret
	MinSeverity string        `yaml:"min_severity"` // send alerts of this severity and above; default: all
	ResendAfter time.Duration `yaml:"resend_after"` // re-send a delivered alert whose count grew after this long; 0 = only on a severity rise
	Timeout     time.Duration `yaml:"timeout"`      // per request; default 10s
}

// AlertDelivery tunes the delivery of alerts to outputs.
type AlertDelivery struct {
	Poll         time.Duration `yaml:"poll"`          // how often due alerts are looked for; default 5s
	RetryBackoff time.Duration `yaml:"retry_backoff"` // after a first failure, doubling; default 30s
	MaxBackoff   time.Duration `yaml:"max_backoff"`   // default 30m
	MaxAge       time.Duration `yaml:"max_age"`       // alerts never attempted are sent only if this recent; default 24h
}

func defaultIOC() IOC { return IOC{Reload: 30 * time.Second, Severity: "high"} }

func defaultAlertDelivery() AlertDelivery {
	return AlertDelivery{Poll: 5 * time.Second, RetryBackoff: 30 * time.Second, MaxBackoff: 30 * time.Minute, MaxAge: 24 * time.Hour}
}

var severities = []string{"informational", "low", "medium", "high", "critical"}

// OutputName is an output's name: its name, else its type.
func (o Output) OutputName() string {
	if o.Name != "" {
		return o.Name
	}
	return o.Type
}

// ListName is a list's name: its name, else its file name.
func (l IOCList) ListName() string {
	if l.Name != "" {
		return l.Name
	}
	return filepath.Base(l.Path)
}

// resolveAlertPaths makes relative IOC list paths relative to dir.
func (c *Config) resolveAlertPaths(dir string) {
	for i, l := range c.IOC.Lists {
		if l.Path != "" && !filepath.IsAbs(l.Path) {
			c.IOC.Lists[i].Path = filepath.Join(dir, l.Path)
		}
	}
}

func (c *Config) validateAlerts() []error {
	var errs []error
	sev := func(what, s string) {
		if s != "" && !slices.Contains(severities, s) {
			errs = append(errs, fmt.Errorf("%s %q: want informational, low, medium, high or critical", what, s))
		}
	}
	if len(c.IOC.Lists) > 0 && c.IOC.Reload < time.Second {
		errs = append(errs, fmt.Errorf("ioc.reload %s: must be at least 1s", c.IOC.Reload))
	}
	if c.IOC.Suppression < 0 {
		errs = append(errs, errors.New("ioc.suppression must be ≥ 0"))
	}
	sev("ioc.severity", c.IOC.Severity)
	names := map[string]bool{}
	for i, l := range c.IOC.Lists {
		if l.Path == "" {
			errs = append(errs, fmt.Errorf("ioc.lists[%d].path is empty", i))
		}
		if names[l.ListName()] {
			errs = append(errs, fmt.Errorf("ioc.lists[%d]: name %q is used twice", i, l.ListName()))
		}
		names[l.ListName()] = true
		switch l.Format {
		case "", "auto", "plain", "csv", "stix":
		default:
			errs = append(errs, fmt.Errorf("ioc.lists[%d].format %q: want auto, plain, csv or stix", i, l.Format))
		}
		sev(fmt.Sprintf("ioc.lists[%d].severity", i), l.Severity)
	}
	names = map[string]bool{}
	for i, o := range c.Outputs {
		switch o.Type {
		case "webhook", "slack":
			u, err := url.Parse(o.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				errs = append(errs, fmt.Errorf("outputs[%d].url: want an http(s) URL", i)) // never echo it: it may hold a secret
			}
		case "log":
		default:
			errs = append(errs, fmt.Errorf("outputs[%d].type %q: want webhook, slack or log", i, o.Type))
		}
		if (o.Secret != "" || o.SecretEnv != "") && o.Type != "webhook" {
			errs = append(errs, fmt.Errorf("outputs[%d]: secret is for webhook outputs", i))
		}
		if o.Secret != "" && o.SecretEnv != "" {
			errs = append(errs, fmt.Errorf("outputs[%d]: secret and secret_env are exclusive", i))
		}
		if names[o.OutputName()] {
			errs = append(errs, fmt.Errorf("outputs[%d]: name %q is used twice (give each a name)", i, o.OutputName()))
		}
		names[o.OutputName()] = true
		sev(fmt.Sprintf("outputs[%d].min_severity", i), o.MinSeverity)
		if o.ResendAfter < 0 || o.Timeout < 0 {
			errs = append(errs, fmt.Errorf("outputs[%d]: resend_after and timeout must be ≥ 0", i))
		}
	}
	d := c.AlertDelivery
	if len(c.Outputs) > 0 && (d.Poll < 10*time.Millisecond || d.RetryBackoff <= 0 || d.MaxBackoff < d.RetryBackoff || d.MaxAge <= 0) {
		errs = append(errs, errors.New("alert_delivery: poll ≥ 10ms, retry_backoff > 0, max_backoff ≥ retry_backoff and max_age > 0 are needed"))
	}
	return errs
}

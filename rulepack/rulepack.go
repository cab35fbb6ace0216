package rulepack

import (
	"embed"
	"io/fs"
	"maps"
	"os"
	"strings"

	"github.com/cairn-sec/cairn/sigma"
)

//go:embed rules
var embedded embed.FS

// ShippedLabel prefixes the file names of shipped rules in rules and errors
// ("shipped:/cloudtrail/cloudtrail_logging_stopped.yml"); the colon keeps
// them apart from a user's relative path.
const ShippedLabel = "shipped:"

// IsShipped reports whether a rule's File is in the shipped pack.
func IsShipped(file string) bool { return strings.HasPrefix(file, ShippedLabel+"/") }

// openRuleFile reads a rule or test file: from the shipped pack when its
// name says so, else from the file system.
func openRuleFile(name string) ([]byte, error) {
	if p, ok := strings.CutPrefix(name, ShippedLabel+"/"); ok {
		return fs.ReadFile(Shipped(), p)
	}
	return os.ReadFile(name)
}

// Shipped returns the rule pack compiled into Cairn: directories per log
// source (cloudtrail/, vpcflow/, route53/, eks/) holding rule files and,
// beside each, its test file (x.yml and x.tests.yml).
func Shipped() fs.FS {
	sub, err := fs.Sub(embedded, "rules")
	if err != nil {
		panic(err) // "rules" is a valid path in the embedded tree
	}
	return sub
}

// Options say which rules Load reads.
type Options struct {
	// Paths are rule files or directories (searched recursively for
	// *.yml and *.yaml, test files skipped), loaded with the shipped pack.
	Paths []string
	// NoShipped leaves out the shipped pack.
	NoShipped bool
	// Placeholders gives values to %name% placeholders of the expand
	// modifier; they override DefaultPlaceholders.
	Placeholders map[string][]string
}

// DefaultPlaceholders are the placeholder values the shipped rules use
// unless Options.Placeholders overrides them.
func DefaultPlaceholders() map[string][]string {
	return map[string][]string{}
}

// Load parses the shipped pack (unless NoShipped) and every path, and links
// them as one collection so a correlation may refer to a rule in another
// file or path. It returns the rules that can be used (detections and
// correlations) and one error per broken file or rule, naming file, line
// and problem; the other rules still load.
func Load(opts Options) ([]*sigma.Rule, []error) {
	ph := DefaultPlaceholders()
	maps.Copy(ph, opts.Placeholders)
	sopts := &sigma.Options{Placeholders: ph}
	var rules []*sigma.Rule
	var errs []error
	if !opts.NoShipped {
		rs, es := sigma.ParseFS(Shipped(), ".", ShippedLabel, sopts)
		rules, errs = append(rules, rs...), append(errs, es...)
	}
	rs, es := sigma.ParsePaths(opts.Paths, sopts)
	rules, errs = append(rules, rs...), append(errs, es...)
	rules, lerrs := sigma.Resolve(rules)
	return rules, append(errs, lerrs...)
}

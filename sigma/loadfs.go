package sigma

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
)

// Loading from an fs.FS (an embedded rule pack) and loading in steps, so a
// caller can parse several collections (a shipped pack, the user's
// directories) and link them as one.

// ParseFS parses every rule file under root in fsys (root itself when it is
// a file), with the file naming rules of LoadDir. Files are named
// path.Join(label, p) in rules and errors (label "" keeps the fs path). The
// rules are not linked: call Resolve once every collection is parsed.
func ParseFS(fsys fs.FS, root, label string, opts *Options) (rules []*Rule, errs []error) {
	var files []string
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && (p == root || isRuleFile(d.Name())) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		errs = append(errs, errorf(path.Join(label, root), 0, "%v", err))
	}
	sort.Strings(files)
	for _, p := range files {
		name := path.Join(label, p)
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs = append(errs, errorf(name, 0, "%v", err))
			continue
		}
		rs, es := Parse(data, name, opts)
		rules = append(rules, rs...)
		errs = append(errs, es...)
	}
	return rules, errs
}

// ParsePaths parses the rule files and directories in paths (see LoadDir)
// without linking them; call Resolve afterwards.
func ParsePaths(paths []string, opts *Options) (rules []*Rule, errs []error) {
	for _, root := range paths {
		files, err := ruleFiles(root)
		if err != nil {
			errs = append(errs, errorf(root, 0, "%v", err))
		}
		for _, f := range files {
			rs, es := LoadFile(f, opts)
			rules, errs = append(rules, rs...), append(errs, es...)
		}
	}
	return rules, errs
}

// Resolve links rules parsed separately (ParseFS, ParsePaths, Parse) as one
// collection. Rules with a broken reference (unknown rule, reused id or
// name, reference cycle), and correlations built on them, are dropped and
// reported, so every rule returned can be used.
func Resolve(rules []*Rule) ([]*Rule, []error) {
	var errs []error
	rules = slices.Clone(rules)
	for {
		lerrs, bad := link(rules)
		if len(bad) == 0 {
			return rules, errs
		}
		errs = append(errs, lerrs...)
		rules = slices.DeleteFunc(rules, func(r *Rule) bool { return bad[r] })
	}
}

// IsRuleFile reports whether a file name is a rule file: *.yml or *.yaml,
// not a test file kept beside the rules (*_test.yml, *_tests.yml,
// *.test.yml, *.tests.yml and the .yaml forms).
func IsRuleFile(name string) bool { return isRuleFile(name) }

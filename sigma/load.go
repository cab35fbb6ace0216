package sigma

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LoadFile parses every rule in one YAML file.
func LoadFile(path string, opts *Options) ([]*Rule, []error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, []error{errorf(path, 0, "%v", err)}
	}
	if info.Size() > maxRuleSize {
		return nil, []error{errorf(path, 0, "file larger than %d bytes", maxRuleSize)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []error{errorf(path, 0, "%v", err)}
	}
	return Parse(data, path, opts)
}

// LoadDir loads every .yml and .yaml file under dir (recursively, in
// lexical order) and links correlations to the rules they reference. A
// broken rule is reported in errs and the others still load. Directories
// and files whose name starts with '.' are skipped, and so are rule test
// files kept beside the rules (*_test.yml, *_tests.yml, *.test.yml,
// *.tests.yml and the .yaml forms).
func LoadDir(dir string, opts *Options) ([]*Rule, []error) {
	return Load([]string{dir}, opts)
}

// Load loads rule files and directories (see LoadDir) as one collection, so
// a correlation may refer to rules in another path.
func Load(paths []string, opts *Options) (rules []*Rule, errs []error) {
	for _, root := range paths {
		files, err := ruleFiles(root)
		if err != nil {
			errs = append(errs, errorf(root, 0, "%v", err))
		}
		for _, f := range files {
			rs, es := LoadFile(f, opts)
			rules = append(rules, rs...)
			errs = append(errs, es...)
		}
	}
	// Drop rules whose references are broken (and correlations built on
	// them) so every returned rule can be used.
	for {
		lerrs, bad := link(rules)
		if len(bad) == 0 {
			break
		}
		errs = append(errs, lerrs...)
		kept := rules[:0]
		for _, r := range rules {
			if !bad[r] {
				kept = append(kept, r)
			}
		}
		rules = kept
	}
	return rules, errs
}

// ruleFiles lists the rule files under root (root itself when it is a file).
func ruleFiles(root string) ([]string, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var out []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != root && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && isRuleFile(name) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// isRuleFile reports whether a file name is a rule file (not a test file).
func isRuleFile(name string) bool {
	base, ok := strings.CutSuffix(name, ".yml")
	if !ok {
		if base, ok = strings.CutSuffix(name, ".yaml"); !ok {
			return false
		}
	}
	for _, s := range []string{"_test", "_tests", ".test", ".tests"} {
		if strings.HasSuffix(base, s) {
			return false
		}
	}
	return true
}

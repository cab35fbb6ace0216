package queries

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed library/*.yaml
var builtin embed.FS

// Options configure Load.
type Options struct {
	// Dir holds the user's queries (*.yaml, *.yml). "" or a missing
	// directory means none.
	Dir string
	// Check, when set, is called with every query's text (shipped and the
	// user's); an error fails Load and names the query and its file. Wire
	// it to the search compiler so broken queries are found at start.
	Check func(query string) error
}

// Library is the set of saved queries: the shipped ones with the user's
// on top. It is immutable and safe for concurrent use.
type Library struct {
	byName map[string]Query
	sorted []Query
}

// Load reads the shipped queries and the user's.
func Load(opts Options) (*Library, error) {
	lib := &Library{byName: map[string]Query{}}
	shipped, err := loadBuiltin()
	if err != nil {
		return nil, err
	}
	for _, q := range shipped {
		lib.byName[q.Name] = q
	}
	if opts.Dir != "" {
		user, err := loadDir(opts.Dir)
		if err != nil {
			return nil, err
		}
		for _, q := range user {
			lib.byName[q.Name] = q // a user's query replaces a shipped one
		}
	}
	if opts.Check != nil {
		var errs []error
		for _, q := range lib.byName {
			if err := opts.Check(q.Query); err != nil {
				errs = append(errs, fmt.Errorf("saved query %q (%s): %w", q.Name, q.Source, err))
			}
		}
		if len(errs) > 0 {
			sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
			return nil, errors.Join(errs...)
		}
	}
	for _, q := range lib.byName {
		lib.sorted = append(lib.sorted, q)
	}
	sort.Slice(lib.sorted, func(i, j int) bool { return lib.sorted[i].Name < lib.sorted[j].Name })
	return lib, nil
}

// All returns every query, sorted by name. The slice is a copy.
func (l *Library) All() []Query {
	return append([]Query(nil), l.sorted...)
}

// Get returns the query called name.
func (l *Library) Get(name string) (Query, bool) {
	q, ok := l.byName[name]
	return q, ok
}

// Lookup returns the query called name, or an error listing close names.
func (l *Library) Lookup(name string) (Query, error) {
	if q, ok := l.byName[name]; ok {
		return q, nil
	}
	var near []string
	for _, q := range l.sorted {
		if strings.Contains(q.Name, name) || strings.Contains(name, q.Name) {
			near = append(near, q.Name)
		}
	}
	if len(near) > 0 {
		return Query{}, fmt.Errorf("no saved query %q (did you mean %s?)", name, strings.Join(near, ", "))
	}
	return Query{}, fmt.Errorf("no saved query %q (cairn queries list shows them)", name)
}

func loadBuiltin() ([]Query, error) {
	names, err := fs.Glob(builtin, "library/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("shipped queries: %w", err)
	}
	sort.Strings(names)
	seen := map[string]string{}
	var out []Query
	for _, n := range names {
		b, err := builtin.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("shipped queries: %w", err)
		}
		qs, err := Parse(path.Base(n), b)
		if err != nil {
			return nil, fmt.Errorf("shipped queries: %w", err)
		}
		for _, q := range qs {
			if f, dup := seen[q.Name]; dup {
				return nil, fmt.Errorf("shipped queries: %q is defined in %s and %s", q.Name, f, path.Base(n))
			}
			seen[q.Name] = path.Base(n)
			q.Source = BuiltinSource
			out = append(out, q)
		}
	}
	return out, nil
}

// loadDir reads *.yaml and *.yml in dir, in name order. Two files defining
// the same name is an error.
func loadDir(dir string) ([]Query, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("saved queries directory: %w", err)
	}
	seen := map[string]string{}
	var out []Query
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("saved queries: %w", err)
		}
		qs, err := Parse(p, b)
		if err != nil {
			return nil, fmt.Errorf("saved queries: %w", err)
		}
		for _, q := range qs {
			if f, dup := seen[q.Name]; dup {
				return nil, fmt.Errorf("saved queries: %q is defined in both %s and %s", q.Name, f, p)
			}
			seen[q.Name] = p
			out = append(out, q)
		}
	}
	return out, nil
}

package rulepack

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"time"

	"github.com/cairn-sec/cairn/sigma"
)

// Result is the outcome of one test case.
type Result struct {
	File  string // test file
	Line  int    // line of the case
	Case  string
	Rule  string // key (id) of the rule tested
	Title string
	Want  bool
	Fired int   // how many times the rule fired
	Err   error // why the case failed (nil when it passed)
}

// Pass reports whether the case passed.
func (r Result) Pass() bool { return r.Err == nil }

// Report is the outcome of a test run.
type Report struct {
	Rules    int      // rules loaded
	Results  []Result // one per case, in file order
	Errors   []error  // rules that did not load, test files that did not parse
	Untested []*sigma.Rule
}

// Failed counts the failed cases.
func (r *Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if !res.Pass() {
			n++
		}
	}
	return n
}

// OK reports whether every rule loaded and every case passed.
func (r *Report) OK() bool { return r.Failed() == 0 && len(r.Errors) == 0 }

// RunTests loads the rules of opts (see Load) and runs the test file beside
// each rule file. Rules whose file has no test file are listed in Untested.
func RunTests(opts Options) *Report { return RunTestsFor(opts, nil) }

// RunTestsFor is RunTests limited to the rule files include accepts (nil:
// all); every rule of opts is still loaded, so a correlation under test may
// build on rules elsewhere (the shipped pack). Rules and Errors count only
// included files.
func RunTestsFor(opts Options, include func(ruleFile string) bool) *Report {
	if include == nil {
		include = func(string) bool { return true }
	}
	rules, errs := Load(opts)
	rep := &Report{Errors: slices.DeleteFunc(errs, func(err error) bool { return !include(errorFile(err)) })}
	run := NewRunner(rules)
	var files []string
	byFile := map[string][]*sigma.Rule{}
	for _, r := range rules {
		if !include(r.File) {
			continue
		}
		rep.Rules++
		if _, ok := byFile[r.File]; !ok {
			files = append(files, r.File)
		}
		byFile[r.File] = append(byFile[r.File], r)
	}
	// Test files whose rule file failed to load still run (and fail).
	for _, err := range rep.Errors {
		if f := errorFile(err); f != "" {
			if _, ok := byFile[f]; !ok {
				files = append(files, f)
				byFile[f] = nil
			}
		}
	}
	sort.Strings(files)
	for _, f := range files {
		name, data, err := readTestFile(f)
		if err != nil {
			rep.Errors = append(rep.Errors, err)
			continue
		}
		if data == nil {
			rep.Untested = append(rep.Untested, byFile[f]...)
			continue
		}
		cases, err := ParseCases(data, name)
		if err != nil {
			rep.Errors = append(rep.Errors, err)
			continue
		}
		rep.Results = append(rep.Results, run.Run(name, f, cases)...)
	}
	return rep
}

// errorFile is the rule file a load error is about ("" when unknown).
func errorFile(err error) string {
	var se *sigma.Error
	if errors.As(err, &se) {
		return se.File
	}
	return ""
}

// readTestFile finds and reads the test file of a rule file; data is nil
// when there is none.
func readTestFile(ruleFile string) (string, []byte, error) {
	for _, name := range testFileNames(ruleFile) {
		data, err := openRuleFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return name, nil, fmt.Errorf("%s: %w", name, err)
		}
		return name, data, nil
	}
	return "", nil, nil
}

// Runner evaluates test cases against a collection of rules, detections and
// correlations alike. It is safe for sequential use only.
type Runner struct {
	rules []*sigma.Rule
	set   *sigma.RuleSet
	byRef map[string]*sigma.Rule
	specs map[*sigma.Rule]NewValue // cairn.new_value attributes, read on first use
	serr  []error
	read  bool
}

// NewRunner prepares rules (as returned by Load) for running cases.
func NewRunner(rules []*sigma.Rule) *Runner {
	r := &Runner{rules: rules, set: sigma.NewRuleSet(rules), byRef: map[string]*sigma.Rule{}}
	for _, rule := range rules {
		for _, k := range []string{rule.Title, rule.Name, rule.ID} { // id wins
			if k != "" {
				r.byRef[k] = rule
			}
		}
	}
	return r
}

// Run runs the cases of one test file; ruleFile is the rule file it sits
// beside (File of the rules it tests by default).
func (r *Runner) Run(testFile, ruleFile string, cases []Case) []Result {
	out := make([]Result, 0, len(cases))
	for _, c := range cases {
		res := Result{File: testFile, Line: c.Line, Case: c.Name, Want: c.Match}
		target, err := r.target(c, ruleFile)
		if err == nil {
			res.Rule, res.Title = target.Key(), target.Title
			res.Fired, err = r.fire(target, c)
		}
		if err == nil {
			err = verdict(c, res.Fired)
		}
		res.Err = err
		out = append(out, res)
	}
	return out
}

// target finds the rule a case tests.
func (r *Runner) target(c Case, ruleFile string) (*sigma.Rule, error) {
	if c.Rule != "" {
		if t, ok := r.byRef[c.Rule]; ok {
			return t, nil
		}
		return nil, fmt.Errorf("no loaded rule with id, name or title %q", c.Rule)
	}
	var inFile []*sigma.Rule
	referenced := map[string]bool{}
	for _, rule := range r.rules {
		if rule.File != ruleFile {
			continue
		}
		inFile = append(inFile, rule)
		if rule.Correlation != nil {
			for _, ref := range rule.Correlation.Rules {
				referenced[ref] = true
			}
		}
	}
	var cands []*sigma.Rule
	for _, rule := range inFile {
		if !referenced[rule.ID] && !referenced[rule.Name] {
			cands = append(cands, rule)
		}
	}
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		return nil, fmt.Errorf("no loaded rule in %s to test", ruleFile)
	}
	return nil, fmt.Errorf("%s holds %d rules: say which one the case tests (rule: id or name)", ruleFile, len(cands))
}

// fire feeds the case's records through the rule set and a fresh
// correlator and counts the firings of target.
func (r *Runner) fire(target *sigma.Rule, c Case) (int, error) {
	ls, err := r.caseSource(target, c)
	if err != nil {
		return 0, err
	}
	corr, err := sigma.NewCorrelator(r.rules, sigma.Limits{})
	if err != nil {
		return 0, err
	}
	var seen *FirstSeen
	if c.FirstSeen {
		specs, err := r.newValues()
		if err != nil {
			return 0, err
		}
		if _, ok := specs[target]; !ok {
			return 0, errors.New("first_seen: the rule has no cairn.new_value attribute")
		}
		seen = NewFirstSeen(specs, 0)
	}
	fired := 0
	count := func(ms []sigma.CorrelationMatch) error {
		for _, m := range ms {
			if m.Rule != target {
				continue
			}
			fired++
			for f, want := range c.Group {
				if got := m.Group[f]; got != want {
					return fmt.Errorf("fired with %s=%q, want %q", f, got, want)
				}
			}
		}
		return nil
	}
	var last time.Time
	for i, raw := range c.Events {
		e, err := sigma.ParseEvent(raw)
		if err != nil {
			return fired, fmt.Errorf("record %d: %v", i+1, err)
		}
		t, ok := EventTime(ls, e)
		if !ok && target.Correlation != nil {
			return fired, fmt.Errorf("record %d has no time field for a correlation", i+1)
		}
		if t.After(last) {
			last = t
		}
		matched := r.set.Eval(ls, e, nil)
		for _, m := range matched {
			switch {
			case m != target:
			case seen != nil:
				if seen.Observe(m, e, t) {
					fired++
				}
			default:
				fired++
			}
		}
		if err := count(corr.Observe(e, t, matched)); err != nil {
			return fired, err
		}
	}
	// Close every window, so conditions decided at window close are seen.
	return fired, count(corr.Advance(last.Add(maxTimespan(r.rules) + time.Second)))
}

// newValues reads the rules' new_value attributes once.
func (r *Runner) newValues() (map[*sigma.Rule]NewValue, error) {
	if !r.read {
		r.specs, r.serr = NewValues(r.rules)
		r.read = true
	}
	if len(r.serr) > 0 {
		return nil, r.serr[0]
	}
	return r.specs, nil
}

// caseSource is the log source of a case's records.
func (r *Runner) caseSource(target *sigma.Rule, c Case) (sigma.LogSource, error) {
	if c.Source != "" {
		ls, ok := LogSource(c.Source)
		if !ok {
			return ls, fmt.Errorf("unknown source %q", c.Source)
		}
		return ls, nil
	}
	rule := target
	for rule.Correlation != nil && len(rule.Correlation.Rules) > 0 {
		next, ok := r.byRef[rule.Correlation.Rules[0]]
		if !ok {
			break
		}
		rule = next
	}
	if ls, ok := LogSource(SourceName(rule.LogSource)); ok {
		return ls, nil
	}
	return sigma.CloudTrail, nil
}

func maxTimespan(rules []*sigma.Rule) time.Duration {
	var d time.Duration
	for _, r := range rules {
		if r.Correlation != nil && r.Correlation.Timespan > d {
			d = r.Correlation.Timespan
		}
	}
	return d
}

func verdict(c Case, fired int) error {
	switch {
	case c.Match && fired == 0:
		return errors.New("expected the rule to fire; it did not")
	case !c.Match && fired > 0:
		return fmt.Errorf("expected no firing; the rule fired %d time(s)", fired)
	case c.Fires >= 0 && fired != c.Fires:
		return fmt.Errorf("fired %d time(s), want %d", fired, c.Fires)
	}
	return nil
}

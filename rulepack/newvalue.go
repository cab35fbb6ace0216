package rulepack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cairn-sec/cairn/sigma"
)

// "First time seen" detections (first use of a region by a principal) need
// history, which a Sigma rule cannot express: a correlation only counts
// within a window and starts afresh after firing. Cairn's extension is a
// custom attribute on a detection rule (Sigma allows custom top-level
// attributes; other engines ignore it):
//
//	cairn:
//	    new_value:
//	        fields: [userIdentity.arn, awsRegion]  # the combination to remember
//	        learning: 168h                         # first week: learn, never fire
//	        forget: 2160h                          # unseen for 90 days: new again
//
// An engine passes every match of such a rule (alerting or not) to a
// FirstSeen tracker and raises the rule when Observe says the combination
// is new. The tracker's memory is bounded (least recently seen evicted)
// and its state can be saved and restored like the Correlator's.

// NewValue is a rule's new_value attribute.
type NewValue struct {
	// Fields name the combination's parts; a part given as a list of
	// fields takes the first of them the event has (Alternatives), e.g.
	// [userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn]:
	// the role behind an assumed-role session (whose ARN names the
	// session), else the principal's own ARN. Fields[i] is then the
	// list joined with " or ".
	Fields       []string
	Alternatives [][]string // per part, the fields tried in order
	Learning     time.Duration
	Forget       time.Duration
}

// FieldsRead returns the event fields FirstSeen.Record reads for the
// spec: every alternative of every part.
func (nv NewValue) FieldsRead() []string {
	var out []string
	for i := range nv.Fields {
		out = append(out, nv.alternatives(i)...)
	}
	return out
}

// alternatives are the fields part i is taken from, in order.
func (nv NewValue) alternatives(i int) []string {
	if i < len(nv.Alternatives) {
		return nv.Alternatives[i]
	}
	return []string{nv.Fields[i]}
}

// NewValues reads the new_value attribute of the rules that have one. The
// rules' files are read again (the sigma parser ignores custom attributes).
func NewValues(rules []*sigma.Rule) (map[*sigma.Rule]NewValue, []error) {
	out := map[*sigma.Rule]NewValue{}
	var errs []error
	byFile := map[string][]*sigma.Rule{}
	for _, r := range rules {
		if r.Detection != nil && r.File != "" {
			byFile[r.File] = append(byFile[r.File], r)
		}
	}
	for file, rs := range byFile {
		data, err := openRuleFile(file)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
			continue
		}
		specs, err := parseNewValues(data, file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, r := range rs {
			if nv, ok := specs[r.Line]; ok {
				out[r] = nv
			}
		}
	}
	return out, errs
}

// parseNewValues returns the new_value attributes of a file's documents by
// the line of each document's first key (sigma.Rule.Line).
func parseNewValues(data []byte, file string) (map[int]NewValue, error) {
	out := map[int]NewValue{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "cairn" {
				continue
			}
			var attr struct {
				NewValue *struct {
					Fields   []yaml.Node `yaml:"fields"`
					Learning string      `yaml:"learning"`
					Forget   string      `yaml:"forget"`
				} `yaml:"new_value"`
			}
			v := root.Content[i+1]
			if err := v.Decode(&attr); err != nil {
				return nil, fmt.Errorf("%s:%d: cairn: %v", file, v.Line, err)
			}
			if attr.NewValue == nil {
				continue
			}
			var nv NewValue
			for _, f := range attr.NewValue.Fields {
				var alts []string
				switch {
				case f.Kind == yaml.ScalarNode && f.Value != "":
					alts = []string{f.Value}
				case f.Kind == yaml.SequenceNode && f.Decode(&alts) == nil && len(alts) > 0 && !slices.Contains(alts, ""):
				default:
					return nil, fmt.Errorf("%s:%d: cairn.new_value.fields: want a field or a list of fields", file, f.Line)
				}
				nv.Fields = append(nv.Fields, strings.Join(alts, " or "))
				nv.Alternatives = append(nv.Alternatives, alts)
			}
			if len(nv.Fields) == 0 {
				return nil, fmt.Errorf("%s:%d: cairn.new_value needs fields", file, v.Line)
			}
			for _, d := range []struct {
				s   string
				dst *time.Duration
			}{{attr.NewValue.Learning, &nv.Learning}, {attr.NewValue.Forget, &nv.Forget}} {
				if d.s == "" {
					continue
				}
				x, err := time.ParseDuration(d.s)
				if err != nil || x < 0 {
					return nil, fmt.Errorf("%s:%d: cairn.new_value: bad duration %q", file, v.Line, d.s)
				}
				*d.dst = x
			}
			out[root.Line] = nv
		}
	}
}

// FirstSeen remembers, per rule, the value combinations its matches had,
// and says when a combination is new. Safe for concurrent use.
type FirstSeen struct {
	mu      sync.Mutex
	specs   map[*sigma.Rule]NewValue
	max     int
	started map[string]time.Time // rule key → first match (learning starts)
	seen    map[string]time.Time // rule key + values → last seen
	latest  time.Time            // latest event time recorded
	saved   time.Time            // latest at the last MarshalJSON or MarshalDelta
	// changed since the last MarshalJSON or MarshalDelta: what a delta holds
	dirtyStarted, dirtySeen map[string]time.Time
}

// NewFirstSeen builds a tracker for specs (from NewValues) remembering at
// most maxKeys combinations (default 100000).
func NewFirstSeen(specs map[*sigma.Rule]NewValue, maxKeys int) *FirstSeen {
	if maxKeys <= 0 {
		maxKeys = 100000
	}
	return &FirstSeen{specs: specs, max: maxKeys, started: map[string]time.Time{}, seen: map[string]time.Time{},
		dirtyStarted: map[string]time.Time{}, dirtySeen: map[string]time.Time{}}
}

// Observe records a match of r on e at event time t and reports whether its
// combination of values is new: not seen before (or not within Forget) and
// past the learning period. Rules without a new_value spec, and events
// lacking one of the fields, report false.
func (f *FirstSeen) Observe(r *sigma.Rule, e sigma.FieldSource, t time.Time) bool {
	return f.Record(r, e, t).New
}

// Observation is what Record says about one match.
type Observation struct {
	// New: the combination was not seen (or not within Forget) and the
	// learning period is over; the rule is raised.
	New bool
	// Changed: the memory changed enough to be worth saving: a combination
	// was added (or forgotten and seen again), the learning period's
	// start moved, or a combination's last sighting moved at an event
	// time more than the spec's Granularity after the memory was last
	// saved (MarshalJSON). Other moves are kept in memory and saved with
	// the next change, so a saved last sighting lags the true one by about
	// one granularity, and a busy stream rewrites the state for sightings
	// about once per granularity of event time, not per transaction.
	Changed bool
	// Values are the values of the spec's fields, in its order (nil when
	// the rule has no spec or the event lacks a field: nothing recorded);
	// Names the fields they came from (the alternative found).
	Values, Names []string
}

// Granularity is how much event time may pass after the memory was saved
// before a moved last sighting makes Record report it changed: a
// hundredth of Forget (about how much earlier than due a restart may
// forget a combination), a day when nothing is forgotten (last sightings
// then only order eviction).
func (nv NewValue) Granularity() time.Duration {
	if nv.Forget > 0 {
		return nv.Forget / 100
	}
	return 24 * time.Hour
}

// Record is Observe, also saying whether the memory changed and what the
// values were.
func (f *FirstSeen) Record(r *sigma.Rule, e sigma.FieldSource, t time.Time) Observation {
	nv, ok := f.specs[r]
	if !ok {
		return Observation{}
	}
	var b strings.Builder
	b.WriteString(r.Key())
	values := make([]string, 0, len(nv.Fields))
	names := make([]string, 0, len(nv.Fields))
	for i := range nv.Fields {
		v, name, ok := "", "", false
		for _, a := range nv.alternatives(i) {
			if v, ok = e.Value(a); ok && v != "" {
				name = a
				break
			}
		}
		if !ok || v == "" {
			return Observation{}
		}
		values = append(values, v)
		names = append(names, name)
		b.WriteString("\x00" + strconv.Itoa(len(v)) + ":" + v)
	}
	key := b.String()
	obs := Observation{Values: values, Names: names}
	f.mu.Lock()
	defer f.mu.Unlock()
	start, ok := f.started[r.Key()]
	if !ok || t.Before(start) {
		start = t
		f.started[r.Key()] = t
		f.dirtyStarted[r.Key()] = t
		obs.Changed = true
	}
	last, known := f.seen[key]
	if known && nv.Forget > 0 && t.Sub(last) > nv.Forget {
		known = false
	}
	if !known || t.After(last) {
		f.seen[key] = t
		f.dirtySeen[key] = t
		obs.Changed = obs.Changed || !known || t.Sub(f.saved) > nv.Granularity()
	}
	if t.After(f.latest) {
		f.latest = t
	}
	if len(f.seen) > f.max {
		f.evict()
	}
	obs.New = !known && t.Sub(start) >= nv.Learning
	return obs
}

// Len is the number of combinations remembered.
func (f *FirstSeen) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}

// evict drops the least recently seen tenth of the combinations.
func (f *FirstSeen) evict() {
	type kv struct {
		k string
		t time.Time
	}
	all := make([]kv, 0, len(f.seen))
	for k, t := range f.seen {
		all = append(all, kv{k, t})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].t.Before(all[j].t) })
	for _, x := range all[:len(all)/10+1] {
		delete(f.seen, x.k)
		delete(f.dirtySeen, x.k)
	}
}

// firstSeenState is the JSON form of a tracker's memory.
type firstSeenState struct {
	Started map[string]time.Time `json:"started"`
	Seen    map[string]time.Time `json:"seen"`
}

// MarshalJSON saves the tracker's memory (and notes when, for Record's
// Changed).
func (f *FirstSeen) MarshalJSON() ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saved = f.latest
	clear(f.dirtyStarted)
	clear(f.dirtySeen)
	return json.Marshal(firstSeenState{Started: f.started, Seen: f.seen})
}

// MarshalDelta saves what changed since the last MarshalJSON or
// MarshalDelta, in MarshalJSON's form: a journal of deltas applied in
// order (ApplyDelta) to the last full state restores the memory, so a
// large memory is not rewritten for a few new combinations.
func (f *FirstSeen) MarshalDelta() ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saved = f.latest
	data, err := json.Marshal(firstSeenState{Started: f.dirtyStarted, Seen: f.dirtySeen})
	clear(f.dirtyStarted)
	clear(f.dirtySeen)
	return data, err
}

// ApplyDelta applies a delta saved by MarshalDelta (after UnmarshalJSON of
// the full state it followed, and the deltas before it).
func (f *FirstSeen) ApplyDelta(data []byte) error {
	var st firstSeenState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("first-seen delta: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tracked := f.trackedRules()
	for k, t := range st.Started {
		if cur, ok := f.started[k]; tracked[k] && (!ok || t.Before(cur)) {
			f.started[k] = t
		}
	}
	for k, t := range st.Seen {
		if rule, _, _ := strings.Cut(k, "\x00"); tracked[rule] {
			if cur, ok := f.seen[k]; !ok || t.After(cur) {
				f.seen[k] = t
			}
			if t.After(f.latest) {
				f.latest = t
			}
		}
	}
	f.saved = f.latest
	for len(f.seen) > f.max {
		f.evict()
	}
	return nil
}

// trackedRules are the keys of the rules with a spec.
func (f *FirstSeen) trackedRules() map[string]bool {
	tracked := map[string]bool{}
	for r := range f.specs {
		tracked[r.Key()] = true
	}
	return tracked
}

// UnmarshalJSON restores memory saved by MarshalJSON (into a tracker built
// with NewFirstSeen).
func (f *FirstSeen) UnmarshalJSON(data []byte) error {
	var st firstSeenState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("first-seen state: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// Memory of rules no longer tracked (removed, or their spec gone) is
	// dropped; keys start with the rule's key.
	tracked := f.trackedRules()
	f.started, f.seen = map[string]time.Time{}, map[string]time.Time{}
	clear(f.dirtyStarted)
	clear(f.dirtySeen)
	for k, t := range st.Started {
		if tracked[k] {
			f.started[k] = t
		}
	}
	for k, t := range st.Seen {
		if rule, _, _ := strings.Cut(k, "\x00"); tracked[rule] {
			f.seen[k] = t
			if t.After(f.latest) {
				f.latest = t
			}
		}
	}
	f.saved = f.latest
	for len(f.seen) > f.max { // saved with a larger cap
		f.evict()
	}
	return nil
}

package sigma

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// StateVersion is the layout version of State.
const StateVersion = 1

// State is a Correlator's open windows, serializable as JSON, so the
// collector can save it on shutdown (or periodically) and restore it on
// start without losing a correlation that spans the restart.
type State struct {
	Version      int                `json:"version"`
	Watermark    time.Time          `json:"watermark"`
	Correlations []CorrelationState `json:"correlations"`
}

// CorrelationState is the open groups of one correlation rule. Fingerprint
// identifies the rule's logic: state saved under another definition of the
// rule is discarded on restore rather than misapplied.
type CorrelationState struct {
	Rule        string       `json:"rule"`
	Fingerprint string       `json:"fingerprint"`
	Groups      []GroupState `json:"groups"`
	// Removed, in a delta (Correlator.Delta): the groups removed since
	// the state before it, by their group-by values.
	Removed [][]string `json:"removed,omitempty"`
}

// GroupState is one group's window.
type GroupState struct {
	Key     []string    `json:"key"` // group-by values, in group-by order
	Last    time.Time   `json:"last"`
	Entries []Entry     `json:"entries,omitempty"`
	Steps   []time.Time `json:"steps,omitempty"` // temporal types, one per referenced rule
	StepIDs []string    `json:"step_ids,omitempty"`
}

// fingerprint hashes what a correlation's state depends on.
func fingerprint(c *Correlation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|%d|%s|", c.Type, strings.Join(c.Rules, ","), strings.Join(c.GroupBy, ","), c.Timespan, c.Condition.String())
	aliases := make([]string, 0, len(c.Aliases))
	for a, m := range c.Aliases {
		for r, f := range m {
			aliases = append(aliases, a+"="+r+":"+f)
		}
	}
	sort.Strings(aliases)
	b.WriteString(strings.Join(aliases, ","))
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// State returns a snapshot of the open windows.
func (c *Correlator) State() *State {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := &State{Version: StateVersion, Watermark: c.watermark}
	for _, cr := range c.corrs {
		cs := CorrelationState{Rule: cr.rule.Key(), Fingerprint: cr.fp}
		keys := make([]string, 0, len(cr.groups))
		for k := range cr.groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cs.Groups = append(cs.Groups, groupState(cr.groups[k]))
		}
		st.Correlations = append(st.Correlations, cs)
	}
	return st
}

// MarshalState and UnmarshalState are the JSON form of State.
func MarshalState(st *State) ([]byte, error) { return json.Marshal(st) }

// UnmarshalState parses a saved State.
func UnmarshalState(data []byte) (*State, error) {
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("correlation state: %w", err)
	}
	if err := st.checkVersion(); err != nil {
		return nil, err
	}
	return &st, nil
}

// checkVersion refuses a state of another layout.
func (st *State) checkVersion() error {
	if st.Version != StateVersion {
		return fmt.Errorf("correlation state version %d, want %d", st.Version, StateVersion)
	}
	return nil
}

// Restore loads a saved state into the correlator, replacing the groups of
// the correlations it names. State for rules that no longer exist or whose
// logic changed is skipped; the number of skipped correlations is returned.
// Groups and entries beyond the current Limits are dropped (oldest first).
func (c *Correlator) Restore(st *State) (skipped int, err error) {
	if st == nil {
		return 0, nil
	}
	if err := st.checkVersion(); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st.Watermark.After(c.watermark) {
		c.watermark = st.Watermark
	}
	for _, cs := range st.Correlations {
		cr, ok := c.byKey[cs.Rule]
		if !ok || cr.fp != cs.Fingerprint {
			skipped++
			continue
		}
		groups := append([]GroupState(nil), cs.Groups...)
		sort.SliceStable(groups, func(i, j int) bool { return groups[i].Last.After(groups[j].Last) })
		if len(groups) > c.lim.MaxGroups {
			groups = groups[:c.lim.MaxGroups]
		}
		cr.groups = map[string]*group{}
		cr.changed, cr.gone = nil, nil
		for _, gs := range groups {
			c.restoreGroup(cr, gs)
		}
	}
	return skipped, nil
}

// restoreGroup puts a saved group into cr.
func (c *Correlator) restoreGroup(cr *corrRule, gs GroupState) {
	if len(gs.Key) != len(cr.c.GroupBy) {
		return
	}
	g := &group{key: append([]string(nil), gs.Key...), last: gs.Last}
	es := append([]Entry(nil), gs.Entries...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].T.Before(es[j].T) })
	if len(es) > c.lim.MaxEntries {
		es = es[len(es)-c.lim.MaxEntries:]
	}
	g.entries = es
	if cr.c.Type == "temporal" || cr.c.Type == "temporal_ordered" {
		g.steps = make([]time.Time, len(cr.refs))
		g.stepIDs = make([]string, len(cr.refs))
		if len(gs.Steps) == len(cr.refs) {
			copy(g.steps, gs.Steps)
		}
		if len(gs.StepIDs) == len(cr.refs) {
			copy(g.stepIDs, gs.StepIDs)
		}
	}
	cr.groups[joinKey(g.key)] = g
}

// Snapshot is State, and starts the next Delta afresh.
func (c *Correlator) Snapshot() *State {
	st := c.State()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cr := range c.corrs {
		cr.changed, cr.gone = nil, nil
	}
	return st
}

// Delta returns what changed since the last Snapshot or Delta — the groups
// changed, whole, and those removed — so that a saved state can be kept up
// to date without rewriting it: Restore of the snapshot then ApplyDelta of
// each delta in order gives the correlator's state.
func (c *Correlator) Delta() *State {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := &State{Version: StateVersion, Watermark: c.watermark}
	for _, cr := range c.corrs {
		if len(cr.changed) == 0 && len(cr.gone) == 0 {
			continue
		}
		cs := CorrelationState{Rule: cr.rule.Key(), Fingerprint: cr.fp}
		keys := make([]string, 0, len(cr.changed))
		for k := range cr.changed {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if g, ok := cr.groups[k]; ok {
				cs.Groups = append(cs.Groups, groupState(g))
			}
		}
		for k := range cr.gone {
			cs.Removed = append(cs.Removed, splitKey(k))
		}
		sort.Slice(cs.Removed, func(i, j int) bool { return joinKey(cs.Removed[i]) < joinKey(cs.Removed[j]) })
		st.Correlations = append(st.Correlations, cs)
		cr.changed, cr.gone = nil, nil
	}
	return st
}

// ApplyDelta applies a Delta to a correlator restored from the snapshot
// before it (and the deltas between); deltas of rules that no longer exist
// or changed are skipped.
func (c *Correlator) ApplyDelta(st *State) error {
	if st == nil {
		return nil
	}
	if err := st.checkVersion(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st.Watermark.After(c.watermark) {
		c.watermark = st.Watermark
	}
	for _, cs := range st.Correlations {
		cr, ok := c.byKey[cs.Rule]
		if !ok || cr.fp != cs.Fingerprint {
			continue
		}
		for _, k := range cs.Removed {
			delete(cr.groups, joinKey(k))
		}
		for _, gs := range cs.Groups {
			c.restoreGroup(cr, gs)
		}
	}
	return nil
}

// splitKey inverts joinKey.
func splitKey(k string) []string {
	var out []string
	for k != "" {
		i := strings.IndexByte(k, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(k[:i])
		if err != nil || i+1+n > len(k) {
			break
		}
		out = append(out, k[i+1:i+1+n])
		k = k[i+1+n:]
	}
	return out
}

func groupState(g *group) GroupState {
	return GroupState{
		Key:     append([]string(nil), g.key...),
		Last:    g.last,
		Entries: append([]Entry(nil), g.entries...),
		Steps:   append([]time.Time(nil), g.steps...),
		StepIDs: append([]string(nil), g.stepIDs...),
	}
}

package duckdb

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cairn-sec/cairn"
)

// DefaultAlertIndexSize bounds the open-alert index (Options.AlertIndexSize).
const DefaultAlertIndexSize = 50_000

// alertIndex lets alert upserts decide suppression without reading the
// alerts table: it holds the alerts that are not closed, as committed, by
// kind|rule|group — all of them (complete), or, when there are more than
// max, the most recently seen, every other having ended (last seen) at or
// before horizon. Matches that begin after horizon plus the suppression
// window can only be absorbed by an alert the index holds; earlier ones
// (a backfill reaching back past evicted alerts) read the table as before.
// Alerts are held compactly (times as integers, samples and fields as
// their stored JSON) so that a large index costs the garbage collector
// little; only those an upsert merges into are decoded.
//
// The index belongs to the writer: it is read and changed only inside a
// write transaction (under Store.writeMu), a transaction's changes reach it
// only when it commits, and whatever else writes alerts (status changes,
// Store.UpsertAlerts) drops it, to be loaded again.
type alertIndex struct {
	loaded   bool
	max      int
	byKey    map[string][]heldAlert
	size     int
	complete bool  // every alert that is not closed is held
	horizon  int64 // when not complete: the others ended by then (Unix ns)
	// settled and read count upserted alerts the index settled and those
	// it sent to the table (tests, benchmarks).
	settled, read int64
	// superseded counts alert versions a later one replaced, since the
	// writer last deleted them.
	superseded int64
}

// heldAlert is what the index keeps of an open or acknowledged alert.
type heldAlert struct {
	id              string
	first, last     int64 // Unix ns
	created         int64 // Unix ns
	count, version  int64
	acked           bool
	samples, fields string // JSON as stored; "" for none
}

// holdAlert is st as the index keeps it, its JSON as encoded for writing
// (storedAlert.encode).
func holdAlert(st *storedAlert) heldAlert {
	a := &st.a
	s, _ := st.samples.(string)
	f, _ := st.fields.(string)
	return heldAlert{id: a.ID, first: a.FirstSeen.UnixNano(), last: a.LastSeen.UnixNano(), created: a.CreatedAt.UnixNano(),
		count: a.Count, version: st.version,
		acked: a.Status == cairn.AlertAcknowledged, samples: s, fields: f}
}

// absorbs is cairn.Alert.Absorbs for a held alert of b's key.
func (h *heldAlert) absorbs(b *cairn.Alert, window time.Duration) bool {
	return b.FirstSeen.UnixNano() <= h.last+int64(window) && b.LastSeen.UnixNano() >= h.first-int64(window)
}

// alert decodes a held alert of the key of like.
func (h *heldAlert) alert(like *cairn.Alert) (*storedAlert, error) {
	st := &storedAlert{version: h.version, a: cairn.Alert{ID: h.id, Kind: like.Kind, RuleID: like.RuleID, GroupKey: like.GroupKey,
		FirstSeen: time.Unix(0, h.first).UTC(), LastSeen: time.Unix(0, h.last).UTC(), CreatedAt: time.Unix(0, h.created).UTC(),
		Count: h.count, Status: cairn.AlertOpen}}
	if h.acked {
		st.a.Status = cairn.AlertAcknowledged
	}
	if err := unmarshalAlertJSON(&st.a, h.samples, h.fields); err != nil {
		return nil, err
	}
	return st, nil
}

// load reads the alerts that are not closed, the most recent max of them.
func (x *alertIndex) load(ctx context.Context, db execQuerier) error {
	if x.max <= 0 {
		x.max = DefaultAlertIndexSize
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) - count(DISTINCT id) FROM alert_versions`).Scan(&x.superseded); err != nil {
		return fmt.Errorf("count alert versions: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+storedAlertColumns+` FROM `+latestAlertVersions+` WHERE status <> 'closed'
		ORDER BY last_seen DESC LIMIT ?`, x.max+1)
	if err != nil {
		return fmt.Errorf("load open alerts: %w", err)
	}
	defer rows.Close()
	x.byKey, x.size, x.complete, x.horizon = map[string][]heldAlert{}, 0, true, 0
	for rows.Next() {
		st, err := scanStoredAlert(rows)
		if err != nil {
			return fmt.Errorf("load open alerts: %w", err)
		}
		if x.size == x.max {
			x.complete, x.horizon = false, st.a.LastSeen.UnixNano()
			break
		}
		k := alertKey(&st.a)
		st.encode()
		x.byKey[k] = append(x.byKey[k], holdAlert(st))
		x.size++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load open alerts: %w", err)
	}
	x.loaded = true
	return nil
}

// decides reports whether the alerts the index holds are all that could
// absorb a.
func (x *alertIndex) decides(a *cairn.Alert, window time.Duration) bool {
	return x.complete || a.FirstSeen.UnixNano() > x.horizon+int64(window)
}

// apply records a committed transaction's alerts: each key's open alerts.
func (x *alertIndex) apply(changed map[string][]heldAlert) {
	if !x.loaded {
		return
	}
	for k, hs := range changed {
		x.size += len(hs) - len(x.byKey[k])
		if len(hs) == 0 {
			delete(x.byKey, k)
		} else {
			x.byKey[k] = hs
		}
	}
	if x.size <= x.max {
		return
	}
	// Evict the tenth least recently seen; the horizon moves past them.
	lasts := make([]int64, 0, x.size)
	for _, hs := range x.byKey {
		for _, h := range hs {
			lasts = append(lasts, h.last)
		}
	}
	slices.Sort(lasts)
	cut := lasts[len(lasts)/10]
	x.horizon = max(x.horizon, cut)
	for k, hs := range x.byKey {
		kept := slices.DeleteFunc(hs, func(h heldAlert) bool { return h.last <= cut })
		x.size -= len(hs) - len(kept)
		if len(kept) == 0 {
			delete(x.byKey, k)
		} else {
			x.byKey[k] = kept
		}
	}
	x.complete = false
}

// drop forgets the index; the next upsert loads it again.
func (x *alertIndex) drop() {
	x.loaded, x.byKey, x.size = false, nil, 0
}

// heldAlerts are the open alerts of key as this transaction sees them (its
// own upserts first).
func (t *Tx) heldAlerts(key string) []heldAlert {
	if hs, ok := t.changedAlerts[key]; ok {
		return hs
	}
	return t.s.alertIdx.byKey[key]
}

// candidates decodes the held alerts of key that an upsert of in (alerts
// of that key) may touch: those with one of their IDs or absorbing one of
// them. The others cannot be merged into: an alert changes only by
// absorbing.
func (t *Tx) candidates(key string, in []*cairn.Alert, window time.Duration) ([]*storedAlert, error) {
	var out []*storedAlert
	hs := t.heldAlerts(key)
	for i := range hs {
		h := &hs[i]
		for _, a := range in {
			if h.id == a.ID || h.absorbs(a, window) {
				st, err := h.alert(a)
				if err != nil {
					return nil, err
				}
				out = append(out, st)
				break
			}
		}
	}
	return out, nil
}

// noteAlerts records, for the index at commit, the open alerts of each key
// an upsert touched: those held before, replaced by their merged versions,
// and the created ones.
func (t *Tx) noteAlerts(byKey map[string][]*storedAlert) {
	if t.changedAlerts == nil {
		t.changedAlerts = map[string][]heldAlert{}
	}
	for key, sts := range byKey {
		prev := t.heldAlerts(key)
		pos := make(map[string]int, len(prev)+len(sts))
		next := make([]heldAlert, 0, len(prev)+len(sts))
		for _, h := range prev {
			pos[h.id] = len(next)
			next = append(next, h)
		}
		for _, st := range sts {
			if !st.dirty && !st.isNew {
				continue
			}
			if i, ok := pos[st.a.ID]; ok {
				next[i] = holdAlert(st)
			} else {
				pos[st.a.ID] = len(next)
				next = append(next, holdAlert(st))
			}
		}
		t.changedAlerts[key] = next
	}
}

// AlertIndexStats counts the alerts upserted since the store opened that
// the open-alert index settled, and those it sent to the table.
func (s *Store) AlertIndexStats() (settled, read int64) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.alertIdx.settled, s.alertIdx.read
}

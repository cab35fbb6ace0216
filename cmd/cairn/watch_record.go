package main

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/config"
	"github.com/cairn-sec/cairn/duckdb"
	"github.com/cairn-sec/cairn/queryapi"
)

// watchRecord is where watch keeps its drift alerts and the names it
// followed: the store, opened for writing; or, while a collector holds it
// (DuckDB has one writer), the collector, through its socket: the alerts
// are recorded there, and the followed names, which only the store
// keeps, stay in this process's memory. With neither, the findings are
// only logged and printed; the check itself never depends on the store.
type watchRecord struct {
	store        *duckdb.Store // opened for writing; nil otherwise
	dir          string        // the store's directory, for the collector's socket
	viaCollector bool
}

// openWatchRecord opens the store, or finds it held by another process.
func openWatchRecord(ctx context.Context, g *globals, cfg config.Config) *watchRecord {
	r := &watchRecord{dir: cfg.Store.Dir}
	st, err := duckdb.Open(ctx, storeOptions(cfg.Store))
	switch {
	case err == nil:
		r.store = st
	case errors.Is(err, duckdb.ErrLocked):
		r.viaCollector = true // tried when there is something to record
	default:
		g.log.Warn("cannot open the store: findings are not recorded as alerts this time", "err", err)
	}
	return r
}

func (r *watchRecord) close() {
	if r.store != nil {
		r.store.Close()
	}
}

// loadState reads the names watch followed, from the store or through the
// collector's read-only SQL; none (or unreadable) is the zero watchState.
func (r *watchRecord) loadState(ctx context.Context) watchState {
	var raw []byte
	switch {
	case r.store != nil:
		if _, st, err := r.store.LoadState(ctx, "watch"); err == nil {
			raw = st
		}
	case r.viaCollector:
		res, err := queryapi.Query(ctx, r.dir, `SELECT state FROM detect_state WHERE name = 'watch'`, 1)
		if err == nil && len(res.Rows) == 1 && len(res.Rows[0]) == 1 {
			if s, ok := res.Rows[0][0].(string); ok {
				raw = []byte(s)
			}
		}
	}
	var ws watchState
	if raw == nil || json.Unmarshal(raw, &ws) != nil {
		return watchState{}
	}
	return ws
}

// save records alerts (suppressed over watchAlertWindow) and, when not
// nil, the followed names.
func (r *watchRecord) save(ctx context.Context, g *globals, alerts []cairn.Alert, followed *watchState) error {
	switch {
	case r.store != nil:
		return r.saveInStore(ctx, alerts, followed)
	case r.viaCollector:
		if len(alerts) == 0 {
			return nil
		}
		n, err := queryapi.UpsertAlerts(ctx, r.dir, alerts, watchAlertWindow)
		if errors.Is(err, queryapi.ErrNoServer) {
			// cairn ingest holds the store: it serves no socket.
			g.log.Warn("the store is held by a process that serves no socket (cairn ingest?): findings are not recorded as alerts this time")
			return nil
		}
		if err != nil {
			return err
		}
		g.log.Info("drift alerts recorded by the collector holding the store", "created", n.Created, "updated", n.Updated)
		if followed != nil {
			g.log.Debug("followed names kept in memory: a collector holds the store", "bucket", followed.Bucket, "topic", followed.TopicARN)
		}
	}
	return nil
}

func (r *watchRecord) saveInStore(ctx context.Context, alerts []cairn.Alert, followed *watchState) error {
	tx, err := r.store.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	dtx := tx.(*duckdb.Tx)
	if len(alerts) > 0 {
		if _, err := dtx.UpsertAlerts(ctx, alerts, watchAlertWindow); err != nil {
			return err
		}
	}
	if followed != nil {
		st, _ := json.Marshal(followed)
		if err := dtx.SaveState(ctx, "watch", 1, st); err != nil {
			return err
		}
	}
	_, err = tx.Commit(ctx)
	return err
}

// watchAlertWindow: a drift still present within this window updates its
// open alert instead of raising a new one.
const watchAlertWindow = 24 * time.Hour

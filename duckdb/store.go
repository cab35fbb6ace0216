package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/cairn-sec/cairn"
)

// FileName is the database file inside the store directory.
const FileName = "cairn.duckdb"

// ErrLocked means another process (usually a running collector) holds the
// store open for writing.
var ErrLocked = errors.New("store is locked by another cairn process")

// Options configure Open.
type Options struct {
	Dir         string // store directory; created if missing (unless ReadOnly)
	ReadOnly    bool   // open for queries only
	MemoryLimit string // DuckDB memory_limit, e.g. "512MB"; "" = DuckDB default
	Threads     int    // DuckDB threads; 0 = DuckDB default
	// CheckpointThreshold is DuckDB's checkpoint_threshold: how much WAL
	// accumulates before new rows are compressed into the file. Larger is
	// faster, smaller holds less in memory. "" = 64MB.
	CheckpointThreshold string
	Compression         string // "auto" (default: DuckDB chooses per segment, most compact) or "zstd" (cheaper checkpoints, ~2x larger)
	// AlertIndexSize bounds the open-alert index: how many alerts that
	// are not closed the writer keeps in memory to settle suppression
	// without reading them (default 50000, about 25 MB).
	AlertIndexSize int
}

// Store is an open DuckDB store.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool

	writeMu sync.Mutex // one Tx at a time
	wconn   *sql.Conn  // the writer connection, holding the staging table
	// The writer connection's appenders, kept from one transaction to the
	// next: creating them costs more than a small object's rows.
	app, ids *duckdb.Appender
	// alertApp appends alert versions, kept like app.
	alertApp *duckdb.Appender
	// alertIdx settles streaming alert upserts without reading alerts.
	alertIdx alertIndex
	// stateGens are the committed generations of detection states, as
	// far as this writer knows them (StateGeneration).
	stateGens map[string]int64
}

// Open opens (and, for writers, creates and migrates) the store in opts.Dir.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, errors.New("open store: no directory given")
	}
	path := filepath.Join(opts.Dir, FileName)
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	} else if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("create store directory: %w", err)
	}
	q := url.Values{}
	// The store file is attached to an in-memory database rather than
	// opened directly: only ATTACH can set its row group size.
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	if opts.MemoryLimit != "" {
		q.Set("memory_limit", opts.MemoryLimit)
	}
	if opts.Threads > 0 {
		q.Set("threads", strconv.Itoa(opts.Threads))
	}
	if opts.CheckpointThreshold == "" {
		// Committed rows wait in memory until the checkpoint. 64MB cost no
		// more CPU than 128MB and holds less; 48MB held ~40 MB less while
		// a 1 GB object streamed but cost 20% more CPU on small objects.
		opts.CheckpointThreshold = "64MB"
	}
	q.Set("checkpoint_threshold", opts.CheckpointThreshold)
	switch opts.Compression {
	case "zstd":
		q.Set("force_compression", "zstd")
	case "", "auto":
	default:
		return nil, fmt.Errorf("open store: compression %q: want zstd or auto", opts.Compression)
	}
	// Every connection the pool opens searches the store first.
	var attached atomic.Bool // the first connection attaches
	connector, err := duckdb.NewConnector("?"+q.Encode(), func(ex driver.ExecerContext) error {
		if !attached.Load() {
			return nil
		}
		_, err := ex.ExecContext(context.Background(), "USE "+catalog, nil)
		return err
	})
	if err != nil {
		return nil, wrapOpen(path, err)
	}
	db := sql.OpenDB(connector)
	s := &Store{db: db, path: path, readOnly: opts.ReadOnly, alertIdx: alertIndex{max: opts.AlertIndexSize}}
	if err := attach(ctx, db, path, opts.Dir, opts.ReadOnly); err != nil {
		db.Close()
		return nil, wrapOpen(path, err)
	}
	attached.Store(true)
	if !opts.ReadOnly {
		if err := migrate(ctx, db); err != nil {
			db.Close()
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	return s, nil
}

// catalog is the name the store file is attached under.
const catalog = "cairn"

// rowGroupSize is the store's row group size. DuckDB's default (122,880)
// makes each checkpoint recompress the whole last, partly filled group
// (about 170 MB of CloudTrail records) and hold it in memory; 16,384
// rows measured about 3x faster to write and half the peak memory, for a
// file about 5% larger and finer time pruning.
const rowGroupSize = 16384

// attach attaches the store file on one connection, then, for the whole
// database: users' SQL must never reach the file system or the network,
// and nobody may change the configuration.
func attach(ctx context.Context, db *sql.DB, path, dir string, readOnly bool) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	mode := ""
	if readOnly {
		mode = ", READ_ONLY"
	}
	stmts := []string{
		fmt.Sprintf("ATTACH %s AS %s (ROW_GROUP_SIZE %d%s)", quote(path), catalog, rowGroupSize, mode),
		"USE " + catalog,
		"SET temp_directory = " + quote(filepath.Join(dir, FileName+".tmp")),
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	}
	for _, st := range stmts {
		if _, err := conn.ExecContext(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// quote is a SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func wrapOpen(path string, err error) error {
	if strings.Contains(err.Error(), "Could not set lock") || strings.Contains(err.Error(), "Conflicting lock") {
		return fmt.Errorf("open store %s: %w: %v", path, ErrLocked, err)
	}
	return fmt.Errorf("open store %s: %w", path, err)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// DB exposes the database handle for read paths in this module.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the store; a Tx in progress must have ended.
func (s *Store) Close() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var errs []error
	if s.wconn != nil {
		errs = append(errs, s.closeAppenders())
		errs = append(errs, s.wconn.Close())
		s.wconn = nil
	}
	errs = append(errs, s.db.Close())
	return errors.Join(errs...)
}

// Done reports whether the object identified by bucket, key and etag has
// been committed.
func (s *Store) Done(ctx context.Context, ref cairn.ObjectRef) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM objects WHERE bucket = ? AND key = ? AND etag = ?`,
		ref.Bucket, ref.Key, ref.ETag).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up %s in objects: %w", ref, err)
	}
	return n > 0, nil
}

// RecordErrors stores errors about whole objects (which are not committed
// and whose message stays on the queue) in their own transaction.
func (s *Store) RecordErrors(ctx context.Context, errs []cairn.IngestError) error {
	if len(errs) == 0 {
		return nil
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	if err := tx.Reject(ctx, errs); err != nil {
		tx.Rollback()
		return err
	}
	_, err = tx.Commit(ctx)
	return err
}

// Stats counts rows in the store's tables.
type Stats struct {
	Events, Objects, Errors int64
}

// Stats returns row counts.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events_data), (SELECT count(*) FROM objects), (SELECT count(*) FROM ingest_errors)`).
		Scan(&st.Events, &st.Objects, &st.Errors)
	if err != nil {
		return st, fmt.Errorf("count rows: %w", err)
	}
	return st, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

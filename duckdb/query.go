package duckdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// ErrNotReadOnly is returned for SQL that is not a single read-only query.
var ErrNotReadOnly = errors.New("only a single read-only query (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE) is allowed")

// Result is a query result: column names and types, and rows.
type Result struct {
	Columns   []string `json:"columns"`
	Types     []string `json:"types"`
	Rows      [][]any  `json:"rows"`
	Truncated bool     `json:"truncated"`
}

// Query runs one read-only statement from a user and returns at most
// maxRows rows (0: no limit). args are bound to the statement's '?'
// placeholders in order (string, bool, integers, float64, time.Time or
// nil). The statement is prepared alone (a second statement is refused,
// not run) and must be a query; external file access is disabled and the
// configuration locked for the whole database.
func (s *Store) Query(ctx context.Context, query string, maxRows int, args ...any) (*Result, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("query connection: %w", err)
	}
	defer conn.Close()
	var res *Result
	// One prepare serves both the read-only check and the run.
	err = conn.Raw(func(dc any) error {
		st, err := prepareReadOnly(dc.(driver.Conn), query)
		if err != nil {
			return err
		}
		defer st.Close()
		named := make([]driver.NamedValue, len(args))
		for i, a := range args {
			named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		rows, err := st.QueryContext(ctx, named)
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		defer rows.Close()
		res, err = collect(rows, maxRows)
		return err
	})
	return res, err
}

// prepareReadOnly prepares the statement on its own (multiple statements
// fail to prepare) and checks that it is a query.
func prepareReadOnly(conn driver.Conn, query string) (*duckdb.Stmt, error) {
	st, err := conn.Prepare(query)
	if err != nil {
		if strings.Contains(err.Error(), "multi-statement") {
			return nil, fmt.Errorf("%w (got several statements)", ErrNotReadOnly)
		}
		return nil, fmt.Errorf("query: %w", err)
	}
	ds, ok := st.(*duckdb.Stmt)
	if !ok {
		st.Close()
		return nil, errors.New("query: unexpected driver statement")
	}
	t, err := ds.StatementType()
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("query: %w", err)
	}
	switch t {
	case duckdb.STATEMENT_TYPE_SELECT, duckdb.STATEMENT_TYPE_EXPLAIN:
		return ds, nil
	}
	st.Close()
	return nil, fmt.Errorf("%w (got a %s statement)", ErrNotReadOnly, stmtName(t))
}

func stmtName(t duckdb.StmtType) string {
	switch t {
	case duckdb.STATEMENT_TYPE_INSERT:
		return "INSERT"
	case duckdb.STATEMENT_TYPE_UPDATE:
		return "UPDATE"
	case duckdb.STATEMENT_TYPE_DELETE:
		return "DELETE"
	case duckdb.STATEMENT_TYPE_CREATE:
		return "CREATE"
	case duckdb.STATEMENT_TYPE_DROP:
		return "DROP"
	case duckdb.STATEMENT_TYPE_COPY:
		return "COPY"
	case duckdb.STATEMENT_TYPE_ATTACH:
		return "ATTACH"
	case duckdb.STATEMENT_TYPE_SET, duckdb.STATEMENT_TYPE_VARIABLE_SET:
		return "SET"
	case duckdb.STATEMENT_TYPE_PRAGMA:
		return "PRAGMA"
	case duckdb.STATEMENT_TYPE_LOAD:
		return "LOAD/INSTALL"
	case duckdb.STATEMENT_TYPE_EXPORT:
		return "EXPORT"
	case duckdb.STATEMENT_TYPE_TRANSACTION:
		return "transaction"
	}
	return fmt.Sprintf("non-query (type %d)", t)
}

func collect(rows driver.Rows, maxRows int) (*Result, error) {
	cols := rows.Columns()
	res := &Result{Rows: [][]any{}, Columns: cols}
	typed, _ := rows.(driver.RowsColumnTypeDatabaseTypeName)
	for i := range cols {
		t := ""
		if typed != nil {
			t = typed.ColumnTypeDatabaseTypeName(i)
		}
		res.Types = append(res.Types, t)
	}
	for {
		vals := make([]driver.Value, len(cols))
		err := rows.Next(vals)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		if maxRows > 0 && len(res.Rows) >= maxRows {
			res.Truncated = true
			break
		}
		row := make([]any, len(cols))
		for i, v := range vals {
			row[i] = plain(v)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// plain converts driver values to JSON-friendly Go values.
func plain(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		return x.String()
	case duckdb.UUID:
		return x.String()
	case duckdb.Decimal:
		return x.Float64()
	case duckdb.Interval:
		return fmt.Sprintf("%d months %d days %d µs", x.Months, x.Days, x.Micros)
	}
	return v
}

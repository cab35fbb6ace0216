package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
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
	if err := checkReadOnly(conn, query); err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	return collect(rows, maxRows)
}

// checkReadOnly prepares the statement on its own (multiple statements
// fail to prepare) and checks its type.
func checkReadOnly(conn *sql.Conn, query string) error {
	return conn.Raw(func(dc any) error {
		st, err := dc.(driver.Conn).Prepare(query)
		if err != nil {
			if strings.Contains(err.Error(), "multi-statement") {
				return fmt.Errorf("%w (got several statements)", ErrNotReadOnly)
			}
			return fmt.Errorf("query: %w", err)
		}
		defer st.Close()
		ds, ok := st.(*duckdb.Stmt)
		if !ok {
			return errors.New("query: unexpected driver statement")
		}
		t, err := ds.StatementType()
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		switch t {
		case duckdb.STATEMENT_TYPE_SELECT, duckdb.STATEMENT_TYPE_EXPLAIN:
			return nil
		}
		return fmt.Errorf("%w (got a %s statement)", ErrNotReadOnly, stmtName(t))
	})
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

func collect(rows *sql.Rows, maxRows int) (*Result, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("query columns: %w", err)
	}
	res := &Result{Rows: [][]any{}}
	for _, c := range cols {
		res.Columns = append(res.Columns, c.Name())
		res.Types = append(res.Types, c.DatabaseTypeName())
	}
	for rows.Next() {
		if maxRows > 0 && len(res.Rows) >= maxRows {
			res.Truncated = true
			break
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("query scan: %w", err)
		}
		for i, v := range vals {
			vals[i] = plain(v)
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query: %w", err)
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

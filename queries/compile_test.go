package queries_test

import (
	"testing"
	"time"

	"github.com/cairn-sec/cairn/queries"
	"github.com/cairn-sec/cairn/search"
)

// Every shipped query compiles, with and without a time range and limit.
func TestShippedQueriesCompile(t *testing.T) {
	lib, err := queries.Load(queries.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)
	for _, q := range lib.All() {
		for _, opts := range []search.Options{{}, {From: now.Add(-24 * time.Hour), To: now, Limit: 100, Now: now}} {
			if _, err := search.Compile(q.Query, opts); err != nil {
				t.Errorf("%s (%s):\n%v", q.Name, q.Source, err)
			}
		}
	}
	// Load's check is how cairn serve finds broken queries at start.
	check := func(s string) error { _, err := search.Compile(s, search.Options{}); return err }
	if _, err := queries.Load(queries.Options{Check: check}); err != nil {
		t.Fatal(err)
	}
}

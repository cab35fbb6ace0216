package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/emulator"
)

// fauxqsScript finds the installed emulator the way emutest does: a test
// that needs it skips without it, except under CI=true.
func fauxqsScript(t *testing.T) string {
	t.Helper()
	script, err := emulator.Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("emulator required under CI: %v (run make tools)", err)
		}
		t.Skipf("emulator not installed: %v (make tools installs it)", err)
	}
	return script
}

// TestDemo runs cairn demo end to end: it starts its own emulator, plays
// the files asked for through SNS → SQS into the store, shows the example
// queries with results that agree with the store, and stops the emulator.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an emulator and runs the whole pipeline: skipped with -short")
	}
	c := newCLI(t)
	// The demo would otherwise npm-install the emulator into $HOME.
	c.setenv("CAIRN_FAUXQS", fauxqsScript(t))
	const files, perFile = 100, 30
	r := c.runTimeout(90*time.Second, "demo", "--files", strconv.Itoa(files), "--events-per-file", strconv.Itoa(perFile), "--rate", "50")
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	t.Logf("demo took %v", r.elapsed.Round(time.Millisecond))
	out := r.stdout

	done := fmt.Sprintf("▶ done: %d events from %d objects stored, %d messages deleted, queue empty", files*perFile, files, files)
	if !strings.Contains(out, done) {
		t.Fatalf("the output lacks %q\n%s", done, r)
	}
	// The store it leaves behind holds exactly that.
	if n, d := c.count(`SELECT count(*) FROM events`), c.count(`SELECT count(DISTINCT event_id) FROM events`); n != files*perFile || d != n {
		t.Fatalf("the demo store holds %d events (%d distinct), want %d", n, d, files*perFile)
	}
	if n := c.count(`SELECT count(*) FROM objects`); n != files {
		t.Fatalf("the demo store's ledger has %d objects, want %d", n, files)
	}
	if !strings.Contains(out, "--store "+c.store) {
		t.Errorf("the output does not say where the store is\n%s", r)
	}

	// Every example query is shown with its SQL and a result table.
	blocks := strings.Split(out, "\n▶ ")
	titles := []string{"Events by source and type", "Failed console logins", "Root account usage", "IAM changes", "Unauthorized API calls by principal"}
	found := map[string]string{}
	for _, b := range blocks {
		for _, title := range titles {
			if strings.HasPrefix(b, title+"\n") {
				found[title] = b
			}
		}
	}
	rowsRE := regexp.MustCompile(`\n\((\d+) rows?\)\n`)
	for _, title := range titles {
		b, ok := found[title]
		if !ok {
			t.Errorf("example %q missing\n%s", title, out)
			continue
		}
		if !strings.Contains(b, "\n  cairn sql \"SELECT ") || !rowsRE.MatchString(b) || !strings.Contains(b, "─┼─") {
			t.Errorf("example %q does not show its query and a result table:\n%s", title, b)
		}
	}

	// The first example's numbers agree with the store.
	counts := map[string]int64{}
	for _, row := range c.query(`SELECT event_source, count(*) AS n FROM events GROUP BY ALL`) {
		n, _ := row["n"].(json.Number).Int64()
		counts[fmt.Sprint(row["event_source"])] = n
	}
	table := tableRows(t, found[titles[0]])
	if len(table) == 0 || len(table) > 10 {
		t.Fatalf("events by source: %d rows, want 1..10:\n%s", len(table), found[titles[0]])
	}
	for _, row := range table {
		if len(row) != 3 || strconv.FormatInt(counts[row[0]], 10) != row[1] {
			t.Errorf("events by source row %q: the store has %d events from %s", row, counts[row[0]], row[0])
		}
	}

	// The emulator is gone with the demo.
	m := regexp.MustCompile(`endpoint http://(127\.0\.0\.1:\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no emulator endpoint in the output\n%s", out)
	}
	if conn, err := net.DialTimeout("tcp", m[1], time.Second); err == nil {
		conn.Close()
		t.Errorf("the emulator still listens on %s after the demo exited", m[1])
	}
}

// tableRows returns the cells of a table printed by the table format.
func tableRows(t *testing.T, block string) [][]string {
	t.Helper()
	lines := strings.Split(block, "\n")
	var rows [][]string
	in := false
	for _, l := range lines {
		switch {
		case strings.Contains(l, "─┼─"):
			in = true
		case strings.HasPrefix(l, "("):
			return rows
		case in:
			cells := strings.Split(l, " │ ")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			rows = append(rows, cells)
		}
	}
	t.Fatalf("no table in\n%s", block)
	return nil
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConfigPrecedenceStoreDir checks where the store is created:
// --store beats CAIRN_STORE_DIR beats the config file (--config,
// CAIRN_CONFIG, else ./cairn.yaml) beats the default, and cairn sql
// finds the store by the same rules.
func TestConfigPrecedenceStoreDir(t *testing.T) {
	logs := t.TempDir()
	writeFile(t, filepath.Join(logs, "a.json"), logFile(t, ctRecord("cfg-1", "GetObject", "us-east-1", time.Now(),
		map[string]any{"type": "IAMUser", "userName": "cfg"}, nil)))

	type setup struct {
		c                          *cli
		fileDir, envDir, flagDir   string // the three explicit choices
		localDir                   string // store.dir of ./cairn.yaml
		defaultDir, xdgDir, config string
	}
	cases := []struct {
		name    string
		arrange func(s *setup) []string // returns extra flags
		want    func(s *setup) string
	}{
		{"default", func(s *setup) []string { return nil },
			func(s *setup) string { return s.defaultDir }},
		{"default under XDG_DATA_HOME", func(s *setup) []string { s.c.setenv("XDG_DATA_HOME", s.xdgDir); return nil },
			func(s *setup) string { return filepath.Join(s.xdgDir, "cairn") }},
		{"./cairn.yaml", func(s *setup) []string { writeConfig(t, filepath.Join(s.c.work, "cairn.yaml"), s.localDir); return nil },
			func(s *setup) string { return s.localDir }},
		{"--config", func(s *setup) []string { return []string{"--config", s.config} },
			func(s *setup) string { return s.fileDir }},
		{"--config beats ./cairn.yaml", func(s *setup) []string {
			writeConfig(t, filepath.Join(s.c.work, "cairn.yaml"), s.localDir)
			return []string{"--config", s.config}
		}, func(s *setup) string { return s.fileDir }},
		{"CAIRN_CONFIG", func(s *setup) []string { s.c.setenv("CAIRN_CONFIG", s.config); return nil },
			func(s *setup) string { return s.fileDir }},
		{"file beats default", func(s *setup) []string {
			s.c.setenv("XDG_DATA_HOME", s.xdgDir)
			return []string{"--config", s.config}
		}, func(s *setup) string { return s.fileDir }},
		{"env beats file", func(s *setup) []string {
			s.c.setenv("CAIRN_STORE_DIR", s.envDir)
			return []string{"--config", s.config}
		}, func(s *setup) string { return s.envDir }},
		{"env beats ./cairn.yaml", func(s *setup) []string {
			writeConfig(t, filepath.Join(s.c.work, "cairn.yaml"), s.localDir)
			s.c.setenv("CAIRN_STORE_DIR", s.envDir)
			return nil
		}, func(s *setup) string { return s.envDir }},
		{"flag beats env and file", func(s *setup) []string {
			s.c.setenv("CAIRN_STORE_DIR", s.envDir)
			return []string{"--config", s.config, "--store", s.flagDir}
		}, func(s *setup) string { return s.flagDir }},
		{"flag beats env", func(s *setup) []string {
			s.c.setenv("CAIRN_STORE_DIR", s.envDir)
			return []string{"--store", s.flagDir}
		}, func(s *setup) string { return s.flagDir }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			c.store = "" // the test chooses
			root := t.TempDir()
			s := &setup{c: c, fileDir: filepath.Join(root, "from-file"), envDir: filepath.Join(root, "from-env"),
				flagDir: filepath.Join(root, "from-flag"), localDir: filepath.Join(root, "from-local-yaml"),
				defaultDir: filepath.Join(c.home, ".local", "share", "cairn"), xdgDir: filepath.Join(root, "xdg"),
				config: filepath.Join(root, "conf", "cairn.yaml")}
			writeConfig(t, s.config, s.fileDir)
			extra := tc.arrange(s)
			want := tc.want(s)

			r := c.ok(append([]string{"ingest", logs}, extra...)...)
			candidates := []string{s.fileDir, s.envDir, s.flagDir, s.localDir, s.defaultDir, filepath.Join(s.xdgDir, "cairn")}
			for _, dir := range candidates {
				_, err := os.Stat(filepath.Join(dir, "cairn.duckdb"))
				if exists := err == nil; exists != (dir == want) {
					t.Errorf("store in %s: %v, want %v\n%s", dir, exists, dir == want, r)
				}
			}
			// cairn sql resolves the same store.
			r = c.ok(append([]string{"sql", "--format", "csv", `SELECT count(*) AS n FROM events WHERE event_id = 'cfg-1'`}, extra...)...)
			if r.stdout != "n\n1\n" {
				t.Fatalf("cairn sql with the same settings does not find the event\n%s", r)
			}
		})
	}
}

func writeConfig(t *testing.T, path, storeDir string) {
	t.Helper()
	writeFile(t, path, []byte("store:\n  dir: "+storeDir+"\nlog:\n  level: info\n"))
}

// TestConfigPrecedenceLogFormat checks the same order on a second
// setting, the log format, seen in the error log line of a failed file.
func TestConfigPrecedenceLogFormat(t *testing.T) {
	logs := t.TempDir()
	writeFile(t, filepath.Join(logs, "bad.json"), []byte("not json"))
	cases := []struct {
		name, file, env, flag string
		wantJSON              bool
	}{
		{"default", "", "", "", false},
		{"file", "json", "", "", true},
		{"env beats file", "json", "text", "", false},
		{"env beats default", "", "json", "", true},
		{"flag beats env and file", "text", "json", "text", false},
		{"flag beats file", "text", "", "json", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			args := []string{"ingest", logs}
			if tc.file != "" {
				p := filepath.Join(t.TempDir(), "cairn.yaml")
				writeFile(t, p, []byte("log:\n  format: "+tc.file+"\n"))
				args = append(args, "--config", p)
			}
			if tc.env != "" {
				c.setenv("CAIRN_LOG_FORMAT", tc.env)
			}
			if tc.flag != "" {
				args = append(args, "--log-format", tc.flag)
			}
			r := c.fails(1, args...)
			jsonLine := strings.Contains(r.stderr, `"msg":"object failed"`)
			textLine := strings.Contains(r.stderr, `level=ERROR msg="object failed"`)
			if jsonLine == textLine || jsonLine != tc.wantJSON {
				t.Fatalf("want the error logged as %s\n%s", map[bool]string{true: "JSON", false: "text"}[tc.wantJSON], r)
			}
		})
	}
}

// TestConfigErrors checks that a bad configuration stops a command before
// it touches a store.
func TestConfigErrors(t *testing.T) {
	logs := t.TempDir()
	writeFile(t, filepath.Join(logs, "a.json"), logFile(t, ctRecord("cfg-1", "GetObject", "us-east-1", time.Now(), map[string]any{"type": "Root"}, nil)))
	for _, tc := range []struct {
		name    string
		arrange func(c *cli) []string
		code    int
		want    string
	}{
		{"missing --config file", func(c *cli) []string { return []string{"--config", filepath.Join(c.work, "absent.yaml")} }, 1, "absent.yaml"},
		{"missing CAIRN_CONFIG file", func(c *cli) []string { c.setenv("CAIRN_CONFIG", filepath.Join(c.work, "absent.yaml")); return nil }, 1, "absent.yaml"},
		{"unknown key", func(c *cli) []string {
			writeFile(t, filepath.Join(c.work, "cairn.yaml"), []byte("store:\n  dri: /tmp/x\n"))
			return nil
		}, 1, "dri"},
		{"bad env value", func(c *cli) []string { c.setenv("CAIRN_COLLECTOR_WORKERS", "many"); return nil }, 1, "CAIRN_COLLECTOR_WORKERS"},
		{"invalid setting", func(c *cli) []string { c.setenv("CAIRN_COLLECTOR_WORKERS", "0"); return nil }, 2, "collector.workers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			r := c.fails(tc.code, append([]string{"ingest", logs}, tc.arrange(c)...)...)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("the error does not mention %q\n%s", tc.want, r)
			}
			if _, err := os.Stat(c.store); !os.IsNotExist(err) {
				t.Errorf("a store was created despite the bad configuration (%v)", err)
			}
		})
	}
}

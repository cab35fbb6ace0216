package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cairn-sec/cairn/config"
)

// globals are the options every command shares.
type globals struct {
	configPath string
	storeDir   string
	logLevel   string
	logFormat  string

	cfg config.Config
	log *slog.Logger
}

func newRootCommand() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "cairn",
		Short:         "Collect, keep and search AWS security logs",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return g.load(cmd.Flags())
		},
	}
	f := root.PersistentFlags()
	f.StringVar(&g.configPath, "config", "", "config file (default ./cairn.yaml when present)")
	f.StringVar(&g.storeDir, "store", "", "store directory (default "+config.DefaultStoreDir()+")")
	f.StringVar(&g.logLevel, "log-level", "", "log level: debug, info, warn, error")
	f.StringVar(&g.logFormat, "log-format", "", "log format: text or json")
	root.AddCommand(newCollectCommand(g), newIngestCommand(g), newSQLCommand(g), newSimulateCommand(g), newDemoCommand(g), newServeCommand(g), newQueriesCommand(g), newTokenCommand(g))
	root.AddCommand(newSearchCommand(g))
	root.AddCommand(newTemplateCommand(g))
	root.AddCommand(newVerifyCommand(g))
	root.AddCommand(newRulesCommand(g))
	root.AddCommand(newRotateKeysCommand(g))
	root.AddCommand(newWatchCommand(g))
	root.AddCommand(newDoctorCommand(g))
	root.AddCommand(newAlertsCommand(g), newHuntCommand(g))
	return root
}

// load builds the configuration: defaults, file, CAIRN_* environment, flags.
func (g *globals) load(flags *pflag.FlagSet) error {
	path, optional := g.configPath, false
	if path == "" {
		path, optional = "cairn.yaml", true
		if p := os.Getenv("CAIRN_CONFIG"); p != "" {
			path, optional = p, false
		}
	}
	cfg, err := config.Load(path, optional)
	if err != nil {
		return err
	}
	if err := cfg.ApplyEnv(nil); err != nil {
		return err
	}
	if g.storeDir != "" {
		cfg.Store.Dir = g.storeDir
	}
	if g.logLevel != "" {
		cfg.Log.Level = g.logLevel
	}
	if g.logFormat != "" {
		cfg.Log.Format = g.logFormat
	}
	g.cfg = cfg
	g.log = newLogger(os.Stderr, cfg.Log)
	return nil
}

func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// usageError marks a mistake in how the command was called (exit 2).
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

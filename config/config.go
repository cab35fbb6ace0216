package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole configuration tree.
type Config struct {
	Store       Store     `yaml:"store"`
	AWS         AWS       `yaml:"aws"`
	Collector   Collector `yaml:"collector"`
	Queues      []Queue   `yaml:"queues"`
	Log         Log       `yaml:"log"`
	MetricsAddr string    `yaml:"metrics_addr"` // e.g. 127.0.0.1:9108; "" = no metrics endpoint
	API         API       `yaml:"api"`
	Queries     Queries   `yaml:"queries"`
	Formats     []Format  `yaml:"formats"` // format overrides by bucket and key prefix
	Rotate      Rotate    `yaml:"rotate"`
	Watch       Watch     `yaml:"watch"`
	Collect     Collect   `yaml:"collect"`
	Detect      Detect    `yaml:"detect"`

	IOC           IOC           `yaml:"ioc"`
	Outputs       []Output      `yaml:"outputs"`
	AlertDelivery AlertDelivery `yaml:"alert_delivery"`
}

// Store configures the embedded DuckDB store.
type Store struct {
	Dir         string `yaml:"dir"`          // default: $XDG_DATA_HOME/cairn or ~/.local/share/cairn
	MemoryLimit string `yaml:"memory_limit"` // DuckDB memory_limit, e.g. 1GB
	Threads     int    `yaml:"threads"`      // DuckDB threads; 0 = all cores
	Compression string `yaml:"compression"`  // auto (default) or zstd
	// CheckpointThreshold: WAL size that triggers compressing new rows into
	// the file; bigger is faster, smaller uses less memory.
	CheckpointThreshold string `yaml:"checkpoint_threshold"`
}

// AWS is the default AWS access, used by every queue that does not set its own.
type AWS struct {
	Region               string `yaml:"region"`
	EndpointURL          string `yaml:"endpoint_url"` // one endpoint for all services (emulators); AWS_ENDPOINT_URL works too
	Profile              string `yaml:"profile"`
	PathStyle            bool   `yaml:"path_style"` // S3 path-style addressing (emulators)
	AccessKeyID          string `yaml:"access_key_id"`
	SecretAccessKey      string `yaml:"secret_access_key"`
	SessionToken         string `yaml:"session_token"`
	RoleARN              string `yaml:"role_arn"`
	ExternalID           string `yaml:"external_id"`
	WebIdentityTokenFile string `yaml:"web_identity_token_file"`
	CredentialsSecret    string `yaml:"credentials_secret"` // read the access key from this Secrets Manager secret
}

// Queue is one SQS queue to collect from, with optional credentials of its own.
type Queue struct {
	URL                  string `yaml:"url"`
	Region               string `yaml:"region"`
	RoleARN              string `yaml:"role_arn"`
	ExternalID           string `yaml:"external_id"`
	WebIdentityTokenFile string `yaml:"web_identity_token_file"`
	Format               string `yaml:"format"` // format of every object this queue notifies (after formats: rules)
}

// Collector tunes the pipeline.
type Collector struct {
	Workers           int           `yaml:"workers"`            // messages processed at once
	VisibilityTimeout time.Duration `yaml:"visibility_timeout"` // asked on receive; keepalive at half
	WaitTime          time.Duration `yaml:"wait_time"`          // SQS long poll
	RetryBackoff      time.Duration `yaml:"retry_backoff"`      // first release delay after a failure
	MaxBackoff        time.Duration `yaml:"max_backoff"`
	ShutdownGrace     time.Duration `yaml:"shutdown_grace"`
	MemoryBudget      ByteSize      `yaml:"memory_budget"` // bytes of events held in memory across workers
	GroupLinger       time.Duration `yaml:"group_linger"`  // wait this long for more objects before a commit
}

// API configures cairn serve, the HTTP API.
type API struct {
	Addr            string        `yaml:"addr"`              // listen address; default 127.0.0.1:8080
	Tokens          []APIToken    `yaml:"tokens"`            // accepted bearer tokens, stored hashed; CAIRN_API_TOKEN adds one
	QueryTimeout    time.Duration `yaml:"query_timeout"`     // per query; default 30s
	MaxRows         int           `yaml:"max_rows"`          // rows returned at most; default 10000
	MaxRequestBytes ByteSize      `yaml:"max_request_bytes"` // request body limit; default 1MiB
	Push            Push          `yaml:"push"`              // push endpoints (Firehose, /v1/logs); see push.go
	TLS             TLS           `yaml:"tls"`               // serve HTTPS; see TLS
}

// TLS makes the API (console, push endpoints) serve HTTPS with a
// certificate and key in PEM files, read again when they change (a
// renewal needs no restart). Both or neither.
type TLS struct {
	CertFile string `yaml:"cert_file"` // the certificate chain, leaf first
	KeyFile  string `yaml:"key_file"`  // its private key
}

// Enabled reports whether TLS is configured.
func (t TLS) Enabled() bool { return t.CertFile != "" || t.KeyFile != "" }

// APIToken is one accepted bearer token: its name (for logs) and the
// lower-case hex SHA-256 of the token (cairn token hash prints it).
type APIToken struct {
	Name   string `yaml:"name"`
	SHA256 string `yaml:"sha256"`
}

// Queries configures the saved-query library.
type Queries struct {
	// Dir holds the user's saved queries (*.yaml). Default: queries/ next
	// to the config file, else $XDG_CONFIG_HOME/cairn/queries or
	// ~/.config/cairn/queries. A relative path in a file is relative to it.
	Dir string `yaml:"dir"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// Default returns the defaults.
func Default() Config {
	return Config{
		Store: Store{Dir: DefaultStoreDir(), MemoryLimit: "96MB"},
		Collector: Collector{
			Workers: 32, VisibilityTimeout: 5 * time.Minute, WaitTime: 20 * time.Second,
			RetryBackoff: 30 * time.Second, MaxBackoff: 15 * time.Minute, ShutdownGrace: 30 * time.Second,
			MemoryBudget: 32 << 20, GroupLinger: 5 * time.Millisecond,
		},
		Log: Log{Level: "info", Format: "text"},
		API: API{Addr: "127.0.0.1:8080", QueryTimeout: 30 * time.Second, MaxRows: 10000, MaxRequestBytes: 1 << 20,
			Push: DefaultPush()},
		Queries: Queries{Dir: filepath.Join(DefaultConfigDir(), "queries")},
		Detect:  DefaultDetect(),

		IOC: defaultIOC(), AlertDelivery: defaultAlertDelivery(),
	}
}

// DefaultConfigDir is $XDG_CONFIG_HOME/cairn, else ~/.config/cairn.
func DefaultConfigDir() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "cairn")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".config", "cairn")
	}
	return "cairn-config"
}

// DefaultStoreDir is $XDG_DATA_HOME/cairn, else ~/.local/share/cairn.
func DefaultStoreDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "cairn")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "cairn")
	}
	return "cairn-data"
}

// Load reads path over the defaults. A missing file is not an error when
// optional is set (the default cairn.yaml).
func Load(path string, optional bool) (Config, error) {
	cfg := Default()
	b, err := os.ReadFile(path)
	if err != nil {
		if optional && errors.Is(err, os.ErrNotExist) {
			return cfg, nil
		}
		return cfg, fmt.Errorf("read config: %w", err)
	}
	dec := yaml.NewDecoder(bytesReader(b))
	dec.KnownFields(true)
	cfg.Queries.Dir = "" // unless the file says: queries/ next to it
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, errEOF) {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	cfg.Detect.resolve(path)
	cfg.resolveAlertPaths(filepath.Dir(path))
	if cfg.Queries.Dir == "" {
		cfg.Queries.Dir = "queries"
	}
	if !filepath.IsAbs(cfg.Queries.Dir) {
		cfg.Queries.Dir = filepath.Join(filepath.Dir(path), cfg.Queries.Dir)
	}
	return cfg, nil
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Store.Dir == "" {
		errs = append(errs, errors.New("store.dir is empty"))
	}
	if c.Collector.Workers < 1 || c.Collector.Workers > 256 {
		errs = append(errs, fmt.Errorf("collector.workers %d: must be 1..256", c.Collector.Workers))
	}
	if c.Collector.VisibilityTimeout < 2*time.Second || c.Collector.VisibilityTimeout > 12*time.Hour {
		errs = append(errs, fmt.Errorf("collector.visibility_timeout %s: must be 2s..12h", c.Collector.VisibilityTimeout))
	}
	// 0 (short polling) would make an idle collector spin.
	if c.Collector.WaitTime < time.Second || c.Collector.WaitTime > 20*time.Second {
		errs = append(errs, fmt.Errorf("collector.wait_time %s: must be 1s..20s", c.Collector.WaitTime))
	}
	if c.Collector.RetryBackoff < 0 || c.Collector.MaxBackoff < c.Collector.RetryBackoff {
		errs = append(errs, errors.New("collector.retry_backoff must be ≥ 0 and ≤ collector.max_backoff"))
	}
	if c.Collector.MaxBackoff > 12*time.Hour {
		errs = append(errs, fmt.Errorf("collector.max_backoff %s: SQS allows at most 12h", c.Collector.MaxBackoff))
	}
	if c.Collector.MemoryBudget < 4<<20 {
		errs = append(errs, fmt.Errorf("collector.memory_budget %s: must be at least 4MiB", c.Collector.MemoryBudget))
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		errs = append(errs, fmt.Errorf("log.format %q: must be text or json", c.Log.Format))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log.level %q: must be debug, info, warn or error", c.Log.Level))
	}
	if (c.AWS.AccessKeyID == "") != (c.AWS.SecretAccessKey == "") {
		errs = append(errs, errors.New("aws.access_key_id and aws.secret_access_key go together"))
	}
	errs = append(errs, c.API.validate()...)
	errs = append(errs, c.API.Push.validate()...)
	errs = append(errs, c.validateFormats()...)
	errs = append(errs, c.Rotate.validate()...)
	errs = append(errs, c.Watch.validate()...)
	errs = append(errs, c.Collect.validate()...)
	errs = append(errs, c.Detect.validate()...)
	errs = append(errs, c.validateAlerts()...)
	for i, q := range c.Queues {
		u, err := url.Parse(q.URL)
		if q.URL == "" || err != nil || u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("queues[%d].url %q: not a queue URL", i, q.URL))
		}
		if q.ExternalID != "" && q.RoleARN == "" {
			errs = append(errs, fmt.Errorf("queues[%d].external_id needs role_arn", i))
		}
	}
	return errors.Join(errs...)
}

func (a *API) validate() []error {
	var errs []error
	if _, _, err := net.SplitHostPort(a.Addr); err != nil {
		errs = append(errs, fmt.Errorf("api.addr %q: want host:port: %v", a.Addr, err))
	}
	if a.QueryTimeout < time.Second || a.QueryTimeout > time.Hour {
		errs = append(errs, fmt.Errorf("api.query_timeout %s: must be 1s..1h", a.QueryTimeout))
	}
	if a.MaxRows < 1 || a.MaxRows > 1_000_000 {
		errs = append(errs, fmt.Errorf("api.max_rows %d: must be 1..1000000", a.MaxRows))
	}
	if (a.TLS.CertFile == "") != (a.TLS.KeyFile == "") {
		errs = append(errs, errors.New("api.tls: cert_file and key_file go together: set both or neither"))
	}
	if a.MaxRequestBytes < 1<<10 || a.MaxRequestBytes > 64<<20 {
		errs = append(errs, fmt.Errorf("api.max_request_bytes %s: must be 1KiB..64MiB", a.MaxRequestBytes))
	}
	names := map[string]bool{}
	for i, t := range a.Tokens {
		if t.Name == "" {
			errs = append(errs, fmt.Errorf("api.tokens[%d].name is empty", i))
		} else if names[t.Name] {
			errs = append(errs, fmt.Errorf("api.tokens[%d].name %q is used twice", i, t.Name))
		}
		names[t.Name] = true
		if !sha256Hex.MatchString(t.SHA256) {
			errs = append(errs, fmt.Errorf("api.tokens[%d].sha256: want 64 hex digits, the SHA-256 of the token (cairn token hash prints it), never the token itself", i))
		}
	}
	return errs
}

var sha256Hex = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

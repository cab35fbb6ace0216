package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Package and Version pin the emulator.
const (
	Package = "fauxqs"
	Version = "1.9.2"
)

// ErrNotInstalled means fauxqs could not be found.
var ErrNotInstalled = errors.New("fauxqs is not installed")

// Emulator is a running fauxqs process.
type Emulator struct {
	Endpoint string // http://127.0.0.1:<port>
	Port     int

	script string
	logw   io.Writer
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// Find returns the path of fauxqs's entry script: $CAIRN_FAUXQS, then
// .tools/node_modules/fauxqs in this directory or a parent, then the user
// cache directory where Install puts it.
func Find() (string, error) {
	if p := os.Getenv("CAIRN_FAUXQS"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		return "", fmt.Errorf("%w: CAIRN_FAUXQS=%s does not exist", ErrNotInstalled, p)
	}
	rel := filepath.Join("node_modules", Package, "dist", "app.js")
	if dir, err := os.Getwd(); err == nil {
		for {
			p := filepath.Join(dir, ".tools", rel)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if dir, err := cacheDir(); err == nil {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", ErrNotInstalled
}

func cacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "cairn", "fauxqs-"+Version), nil
}

// Install installs the pinned fauxqs with npm into the user cache
// directory (when it is not found already) and returns its path.
func Install(ctx context.Context, log io.Writer) (string, error) {
	if p, err := Find(); err == nil {
		return p, nil
	}
	dir, err := cacheDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir, Package+"@"+Version)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm install %s@%s: %w", Package, Version, err)
	}
	return Find()
}

// Start runs fauxqs on a free loopback port and waits until it answers.
// Its output goes to logw (nil: discarded).
func Start(ctx context.Context, script string, logw io.Writer) (*Emulator, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	e := &Emulator{Port: port, Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), script: script, logw: logw}
	if err := e.start(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Emulator) start(ctx context.Context) error {
	// The CLI always logs every request; start the server quietly instead.
	js := fmt.Sprintf(`import(%q).then(m => m.startFauxqs({port: %d, host: "127.0.0.1", logger: false}))`, e.script, e.Port)
	cmd := exec.Command("node", "--input-type=module", "-e", js)
	cmd.Env = append(os.Environ(), "FAUXQS_LOGGER=false")
	if e.logw != nil {
		cmd.Stdout, cmd.Stderr = e.logw, e.logw
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start fauxqs: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	e.mu.Lock()
	e.cmd, e.exited = cmd, exited
	e.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(e.Port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("fauxqs exited during start-up (is Node.js installed?)")
		case <-ctx.Done():
			e.Stop()
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	e.Stop()
	return errors.New("fauxqs did not start listening within 30s")
}

// Stop ends the emulator; all its state is lost.
func (e *Emulator) Stop() error {
	e.mu.Lock()
	cmd, exited := e.cmd, e.exited
	e.cmd = nil
	e.mu.Unlock()
	if cmd == nil {
		return nil
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	return nil
}

// Restart stops the emulator and starts it again on the same port, empty.
func (e *Emulator) Restart(ctx context.Context) error {
	e.Stop()
	return e.start(ctx)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

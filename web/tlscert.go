package web

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// CertFiles serves a certificate and key kept in PEM files, reading them
// again when either file changes (a renewal by certbot, cert-manager or
// an operator needs no restart). A change that does not load (a key
// written before its certificate, a bad file) keeps the certificate in
// use and is reported through OnError; the next handshake tries again.
type CertFiles struct {
	certFile, keyFile string
	// OnError is told of a reload that failed (default: nothing).
	OnError func(error)
	// checkEvery bounds how often the files are looked at.
	checkEvery time.Duration

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   fileStamp // of the files as last read, loaded or not
	checked time.Time
}

// fileStamp tells a file's versions apart.
type fileStamp struct {
	certMod, keyMod   time.Time
	certSize, keySize int64
}

// LoadCertFiles reads the key pair, or says why it cannot.
func LoadCertFiles(certFile, keyFile string) (*CertFiles, error) {
	c := &CertFiles{certFile: certFile, keyFile: keyFile, checkEvery: time.Second}
	stamp, err := c.stampNow()
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: load %s and %s: %w", certFile, keyFile, err)
	}
	c.cert, c.stamp, c.checked = &cert, stamp, time.Now()
	return c, nil
}

func (c *CertFiles) stampNow() (fileStamp, error) {
	ci, err := os.Stat(c.certFile)
	if err != nil {
		return fileStamp{}, fmt.Errorf("tls: certificate: %w", err)
	}
	ki, err := os.Stat(c.keyFile)
	if err != nil {
		return fileStamp{}, fmt.Errorf("tls: key: %w", err)
	}
	return fileStamp{certMod: ci.ModTime(), keyMod: ki.ModTime(), certSize: ci.Size(), keySize: ki.Size()}, nil
}

// GetCertificate is tls.Config.GetCertificate: the current certificate,
// read again first if the files changed.
func (c *CertFiles) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); now.Sub(c.checked) >= c.checkEvery {
		c.checked = now
		c.reload()
	}
	return c.cert, nil
}

// reload reads the files when their stamp changed; on failure the old
// certificate stays, and the same files are not tried (or reported)
// again until they change.
func (c *CertFiles) reload() {
	stamp, err := c.stampNow()
	if err == nil && stamp == c.stamp {
		return
	}
	if err == nil {
		c.stamp = stamp
		var cert tls.Certificate
		if cert, err = tls.LoadX509KeyPair(c.certFile, c.keyFile); err == nil {
			c.cert = &cert
			return
		}
		err = fmt.Errorf("tls: reload %s and %s: %w (serving the previous certificate)", c.certFile, c.keyFile, err)
	}
	if c.OnError != nil {
		c.OnError(err)
	}
}

// Config is a server TLS configuration over the files: TLS 1.2 or later.
func (c *CertFiles) Config() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.GetCertificate}
}

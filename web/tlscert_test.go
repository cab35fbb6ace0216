package web

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn/internal/testcert"
)

// TestCertFilesReload: an HTTPS server over CertFiles serves the pair in
// the files, the renewed pair once the files change, and keeps the last
// good pair (reporting once) while the files do not load.
func TestCertFilesReload(t *testing.T) {
	dir := t.TempDir()
	first, second := testcert.New(t, 1), testcert.New(t, 2)
	certFile, keyFile := first.Write(t, dir)
	cf, err := LoadCertFiles(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	cf.checkEvery = 0
	var reported []error
	cf.OnError = func(err error) { reported = append(reported, err) }
	// As serve does: a TLS listener with no certificate of its own, so
	// every handshake asks CertFiles.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), ErrorLog: log.New(io.Discard, "", 0)}
	done := make(chan struct{})
	go func() { defer close(done); hs.Serve(tls.NewListener(l, cf.Config())) }()
	defer func() { hs.Close(); <-done }()
	url := "https://" + l.Addr().String()

	// serial is the serial number of the certificate a new connection
	// gets, trusting both pairs.
	serial := func() int64 {
		t.Helper()
		pool := first.Pool()
		pool.AddCert(second.Cert)
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true}}
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.TLS.PeerCertificates[0].SerialNumber.Int64()
	}
	if s := serial(); s != 1 {
		t.Fatalf("serial %d, want 1", s)
	}
	// A renewal: new files, a later modification time.
	second.Write(t, dir)
	later := time.Now().Add(time.Minute)
	os.Chtimes(certFile, later, later)
	os.Chtimes(keyFile, later, later)
	if s := serial(); s != 2 {
		t.Fatalf("after the renewal: serial %d, want 2", s)
	}
	// A half-written renewal (the first key beside the second
	// certificate) does not load: the second pair stays, reported once.
	os.WriteFile(keyFile, first.KeyPEM, 0o600)
	even := later.Add(time.Minute)
	os.Chtimes(keyFile, even, even)
	for range 2 {
		if s := serial(); s != 2 {
			t.Fatalf("after a bad reload: serial %d, want 2", s)
		}
	}
	if len(reported) != 1 {
		t.Fatalf("reported %v, want one error", reported)
	}
	// Plain HTTP to the TLS port is refused.
	resp, err := http.Get("http://" + l.Addr().String())
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("plain HTTP: %d", resp.StatusCode)
		}
	}
}

// TestLoadCertFilesErrors: missing or mismatched files are refused at
// start, naming them.
func TestLoadCertFilesErrors(t *testing.T) {
	dir := t.TempDir()
	a, b := testcert.New(t, 1), testcert.New(t, 2)
	certFile, keyFile := a.Write(t, dir)
	if _, err := LoadCertFiles(certFile, dir+"/missing.pem"); err == nil {
		t.Fatal("missing key loaded")
	}
	os.WriteFile(keyFile, b.KeyPEM, 0o600)
	if _, err := LoadCertFiles(certFile, keyFile); err == nil || !strings.Contains(err.Error(), certFile) {
		t.Fatalf("mismatched pair: %v", err)
	}
}

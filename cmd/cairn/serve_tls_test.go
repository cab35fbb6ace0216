package main

import (
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cairn-sec/cairn/internal/testcert"
)

// TestServeTLS: cairn serve --tls-cert/--tls-key serves the API and the
// push endpoints over HTTPS with the given certificate; plain HTTP gets
// nothing but a refusal; a key that does not match is refused at start.
func TestServeTLS(t *testing.T) {
	c := newCLI(t)
	pushConfig(t, c)
	pair := testcert.New(t, 7)
	certFile, keyFile := pair.Write(t, t.TempDir())
	srv := startServer(t, c, "serve", "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(srv.baseURL, "https://") {
		t.Fatalf("serving %s", srv.baseURL)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pair.Pool()}}}
	req, _ := http.NewRequest(http.MethodGet, srv.baseURL+"/api/v1/queries", nil)
	req.Header.Set("Authorization", "Bearer "+e2eAPIToken)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.PeerCertificates[0].SerialNumber.Int64() != 7 {
		t.Fatalf("HTTPS: %d %s", resp.StatusCode, body)
	}
	// Plain HTTP on the TLS port: no API answer.
	if resp, err := http.Get("http://" + strings.TrimPrefix(srv.baseURL, "https://") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP answered on the TLS port")
		}
	}
	srv.stop(t)

	other := testcert.New(t, 8)
	_, wrongKey := other.Write(t, t.TempDir())
	r := c.run("serve", "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", wrongKey)
	if r.code == 0 || !strings.Contains(r.stderr, "api.tls") || !strings.Contains(r.stderr, certFile) {
		t.Fatalf("mismatched key:\n%s", r)
	}
	r = c.run("serve", "--addr", "127.0.0.1:0", "--tls-cert", certFile)
	if r.code == 0 || !strings.Contains(r.stderr, "cert_file and key_file go together") {
		t.Fatalf("certificate without key:\n%s", r)
	}
	// A flag overrides only its own setting: the key comes from the
	// configuration (here its environment form), the certificate from
	// the command line.
	c.setenv("CAIRN_API_TLS_KEY_FILE", keyFile)
	srv = startServer(t, c, "serve", "--addr", "127.0.0.1:0", "--tls-cert", certFile)
	resp, err = client.Get(srv.baseURL + "/healthz")
	if err != nil {
		t.Fatalf("certificate flag with the configured key: %v", err)
	}
	resp.Body.Close()
	if resp.TLS == nil || resp.TLS.PeerCertificates[0].SerialNumber.Int64() != 7 {
		t.Fatalf("certificate flag with the configured key: %+v", resp.TLS)
	}
	srv.stop(t)
}

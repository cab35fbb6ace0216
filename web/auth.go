package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// Token is an accepted bearer token, kept only as its SHA-256.
type Token struct {
	Name string
	Hash [sha256.Size]byte
}

// HashToken returns the lower-case hex SHA-256 of a token, the form tokens
// are configured in.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ParseToken reads a configured token: a name and a hex SHA-256.
func ParseToken(name, sha256Hex string) (Token, error) {
	b, err := hex.DecodeString(strings.TrimSpace(sha256Hex))
	if err != nil || len(b) != sha256.Size {
		return Token{}, fmt.Errorf("token %q: want the 64 hex digits of its SHA-256", name)
	}
	t := Token{Name: name}
	copy(t.Hash[:], b)
	return t, nil
}

// compare is subtle.ConstantTimeCompare; tests wrap it to see it used.
var compare = subtle.ConstantTimeCompare

// authenticate returns the name of the token the request carries, or why
// it is refused. The presented token is hashed and compared with every
// configured hash in constant time, without stopping at a match, so
// neither the token nor which entry matched shows in the timing.
func authenticate(r *http.Request, tokens []Token) (name, reason string) {
	tok, reason := BearerToken(r)
	if reason != "" {
		return "", reason
	}
	name, ok := MatchToken(tok, tokens)
	if !ok {
		return "", "invalid token"
	}
	return name, ""
}

// BearerToken returns the request's bearer token, or why there is none.
func BearerToken(r *http.Request) (tok, reason string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", "missing bearer token"
	}
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", "malformed Authorization header (want: Bearer TOKEN)"
	}
	return tok, ""
}

// MatchToken hashes a presented secret (a bearer token, a Firehose access
// key) and compares the hash with every configured one in constant time,
// without stopping at a match, so neither the secret nor which entry
// matched shows in the timing. It returns the matching entry's name.
func MatchToken(presented string, tokens []Token) (name string, ok bool) {
	sum := sha256.Sum256([]byte(presented))
	matched := 0
	for i := range tokens {
		if compare(sum[:], tokens[i].Hash[:]) == 1 {
			name = tokens[i].Name
			matched = 1
		}
	}
	return name, matched == 1
}

// requireAuth refuses requests without a valid token: 401 with a
// WWW-Authenticate challenge, logged without the token.
func (s *Server) requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, reason := authenticate(r, s.opts.Tokens)
		if reason != "" {
			s.log.Warn("unauthorized request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "reason", reason)
			challenge := `Bearer realm="cairn"`
			if reason != "missing bearer token" {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			writeError(w, http.StatusUnauthorized, "unauthorized: "+reason)
			return
		}
		if rec, ok := w.(*recorder); ok {
			rec.token = name
		}
		next.ServeHTTP(w, r)
	})
}

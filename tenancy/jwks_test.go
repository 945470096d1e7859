package tenancy

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

var b64u = base64.RawURLEncoding

// testKeyring holds the private halves of the keys in a test JWK Set.
type testKeyring struct {
	rsaA, rsaB, rsaC *rsa.PrivateKey // pinned to RS256 (no alg), RS512, RS256
	ec256, ec384     *ecdsa.PrivateKey
	ed               ed25519.PrivateKey
}

var (
	keyringOnce sync.Once
	keyring     testKeyring
)

func keys(t testing.TB) testKeyring {
	keyringOnce.Do(func() {
		rk := func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return k
		}
		ek := func(c elliptic.Curve) *ecdsa.PrivateKey {
			k, err := ecdsa.GenerateKey(c, rand.Reader)
			if err != nil {
				panic(err)
			}
			return k
		}
		_, ed, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		keyring = testKeyring{rk(), rk(), rk(), ek(elliptic.P256()), ek(elliptic.P384()), ed}
	})
	return keyring
}

// jwkOf is the public JWK of key, with kid and alg when not empty.
func jwkOf(t testing.TB, pub crypto.PublicKey, kid, alg string) map[string]any {
	t.Helper()
	j := map[string]any{}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		j["kty"], j["n"], j["e"] = "RSA", b64u.EncodeToString(k.N.Bytes()), b64u.EncodeToString(big.NewInt(int64(k.E)).Bytes())
	case *ecdsa.PublicKey:
		b, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		n := (len(b) - 1) / 2
		j["kty"], j["crv"], j["x"], j["y"] = "EC", k.Curve.Params().Name, b64u.EncodeToString(b[1:1+n]), b64u.EncodeToString(b[1+n:])
	case ed25519.PublicKey:
		j["kty"], j["crv"], j["x"] = "OKP", "Ed25519", b64u.EncodeToString(k)
	default:
		t.Fatalf("no JWK for %T", pub)
	}
	if kid != "" {
		j["kid"] = kid
	}
	if alg != "" {
		j["alg"] = alg
	}
	return j
}

func jwksJSON(t testing.TB, ks ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": ks})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testJWKS is the set the verifier tests use.
func testJWKS(t testing.TB) []byte {
	k := keys(t)
	return jwksJSON(t,
		jwkOf(t, &k.rsaA.PublicKey, "rsa-a", ""),
		jwkOf(t, &k.rsaB.PublicKey, "rsa-b", "RS512"),
		jwkOf(t, &k.rsaC.PublicKey, "rsa-c", "RS256"),
		jwkOf(t, &k.ec256.PublicKey, "ec-256", ""),
		jwkOf(t, &k.ec384.PublicKey, "ec-384", "ES384"),
		jwkOf(t, k.ed.Public(), "ed", "EdDSA"),
		map[string]any{"kty": "RSA", "use": "enc", "alg": "RSA-OAEP", "kid": "enc-1", "n": "AQAB", "e": "AQAB"},
	)
}

func writeJWKS(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// signedWith builds a token from literal header and payload JSON, signed
// by m with key; exp is added to the payload an hour from now.
func signedWith(t testing.TB, m jwt.SigningMethod, key any, header, payload string) string {
	t.Helper()
	if !strings.Contains(payload, `"exp"`) {
		payload = fmt.Sprintf(`{"exp":%d,`, time.Now().Add(time.Hour).Unix()) + strings.TrimPrefix(payload, "{")
		payload = strings.Replace(payload, ",}", "}", 1)
	}
	unsigned := b64u.EncodeToString([]byte(header)) + "." + b64u.EncodeToString([]byte(payload))
	sig, err := m.Sign(unsigned, key)
	if err != nil {
		t.Fatal(err)
	}
	return unsigned + "." + b64u.EncodeToString(sig)
}

func TestVerifyPublicKeys(t *testing.T) {
	k := keys(t)
	v := newVerifier(t, VerifierOptions{JWKSFile: writeJWKS(t, testJWKS(t))})
	for _, tt := range []struct {
		name   string
		m      jwt.SigningMethod
		key    any
		header string
	}{
		{"RS256 by kid, alg implied", jwt.SigningMethodRS256, k.rsaA, `{"alg":"RS256","kid":"rsa-a"}`},
		{"RS256 by kid", jwt.SigningMethodRS256, k.rsaC, `{"alg":"RS256","kid":"rsa-c","typ":"JWT"}`},
		{"RS512 by kid", jwt.SigningMethodRS512, k.rsaB, `{"alg":"RS512","kid":"rsa-b"}`},
		{"RS512, the only RS512 key", jwt.SigningMethodRS512, k.rsaB, `{"alg":"RS512"}`},
		{"ES256 by kid", jwt.SigningMethodES256, k.ec256, `{"alg":"ES256","kid":"ec-256"}`},
		{"ES384 without kid", jwt.SigningMethodES384, k.ec384, `{"alg":"ES384"}`},
		{"EdDSA by kid", jwt.SigningMethodEdDSA, k.ed, `{"alg":"EdDSA","kid":"ed"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			claims, _, err := v.Verify(signedWith(t, tt.m, tt.key, tt.header, `{"appId":7}`))
			if err != nil {
				t.Fatalf("%v (%v)", err, errors.Unwrap(err))
			}
			if claims["appId"] != int64(7) {
				t.Errorf("claims %v", claims)
			}
		})
	}
	// The secret keeps working beside the JWK Set.
	v = newVerifier(t, VerifierOptions{Secret: testSecret, JWKSFile: writeJWKS(t, testJWKS(t))})
	if _, _, err := v.Verify(signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"appId": 1})); err != nil {
		t.Errorf("HS256 beside a JWK Set: %v", err)
	}
}

// TestVerifyRejectsPublicKeys is TestVerifyRejects for tokens checked
// against a JWK Set: each refused token is its own case.
func TestVerifyRejectsPublicKeys(t *testing.T) {
	k := keys(t)
	file := writeJWKS(t, testJWKS(t))
	withSecret := VerifierOptions{Secret: testSecret, JWKSFile: file}
	keysOnly := VerifierOptions{JWKSFile: file}
	rsaDER, err := x509.MarshalPKIXPublicKey(&k.rsaA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	_, otherEd, _ := ed25519.GenerateKey(rand.Reader)
	rs := func(header string) string {
		return signedWith(t, jwt.SigningMethodRS256, k.rsaA, header, `{"appId":1}`)
	}
	tests := []struct {
		name  string
		why   string
		opts  VerifierOptions
		token string
	}{
		{"HS/RS confusion: RSA public key as HMAC secret", `kid "rsa-a" is a RS256 key, the token says HS256`, withSecret,
			signedWith(t, jwt.SigningMethodHS256, rsaDER, `{"alg":"HS256","kid":"rsa-a"}`, `{"appId":1}`)},
		{"HS/RS confusion without a secret", `algorithm "HS256" not allowed`, keysOnly,
			signedWith(t, jwt.SigningMethodHS256, rsaDER, `{"alg":"HS256","kid":"rsa-a"}`, `{"appId":1}`)},
		{"HS/RS confusion: JWK JSON as secret", `algorithm "HS256" not allowed`, keysOnly,
			signedWith(t, jwt.SigningMethodHS256, testJWKS(t), `{"alg":"HS256"}`, `{"appId":1}`)},
		{"RS256 token for a key pinned to RS512", `key "rsa-b" is pinned to RS512, the token says RS256`, keysOnly,
			signedWith(t, jwt.SigningMethodRS256, k.rsaB, `{"alg":"RS256","kid":"rsa-b"}`, `{"appId":1}`)},
		{"ES256 token for the P-384 key", `key "ec-384" is pinned to ES384, the token says ES256`, keysOnly,
			signedWith(t, jwt.SigningMethodES256, k.ec256, `{"alg":"ES256","kid":"ec-384"}`, `{"appId":1}`)},
		{"EdDSA token for an RSA key", `key "rsa-a" is pinned to RS256, the token says EdDSA`, keysOnly,
			signedWith(t, jwt.SigningMethodEdDSA, k.ed, `{"alg":"EdDSA","kid":"rsa-a"}`, `{"appId":1}`)},
		{"RS256 signed by another key", "verification error", keysOnly,
			signedWith(t, jwt.SigningMethodRS256, k.rsaB, `{"alg":"RS256","kid":"rsa-a"}`, `{"appId":1}`)},
		{"EdDSA signed by another key", "verification error", keysOnly,
			signedWith(t, jwt.SigningMethodEdDSA, otherEd, `{"alg":"EdDSA","kid":"ed"}`, `{"appId":1}`)},
		{"unknown kid", "no key in the JWK Set matches", keysOnly, rs(`{"alg":"RS256","kid":"rsa-z"}`)},
		{"encryption key's kid", "no key in the JWK Set matches", keysOnly, rs(`{"alg":"RS256","kid":"enc-1"}`)},
		{"no kid with two RS256 keys", "no key in the JWK Set matches", keysOnly, rs(`{"alg":"RS256"}`)},
		{"no key for RS384", "no key in the JWK Set matches", keysOnly,
			signedWith(t, jwt.SigningMethodRS384, k.rsaA, `{"alg":"RS384"}`, `{"appId":1}`)},
		{"PS256 unsupported", `algorithm "PS256" not allowed`, keysOnly,
			signedWith(t, jwt.SigningMethodPS256, k.rsaA, `{"alg":"PS256","kid":"rsa-a"}`, `{"appId":1}`)},
		{"RS256 without a JWK Set", `algorithm "RS256" not allowed`, VerifierOptions{}, rs(`{"alg":"RS256","kid":"rsa-a"}`)},
		{"kid path traversal", `kid "../../../../dev/null" is not allowed`, keysOnly, rs(`{"alg":"RS256","kid":"../../../../dev/null"}`)},
		{"kid absolute path", `kid "/etc/passwd" is not allowed`, keysOnly, rs(`{"alg":"RS256","kid":"/etc/passwd"}`)},
		{"kid SQL", `kid "x' UNION SELECT 'secret" is not allowed`, keysOnly, rs(`{"alg":"RS256","kid":"x' UNION SELECT 'secret"}`)},
		{"kid SQL comment", `kid "rsa-a;--" is not allowed`, keysOnly, rs(`{"alg":"RS256","kid":"rsa-a;--"}`)},
		{"kid NUL", `kid "rsa-a\x00" is not allowed`, keysOnly, rs(`{"alg":"RS256","kid":"rsa-a\u0000"}`)},
		{"kid empty", `kid "" is not allowed`, keysOnly, rs(`{"alg":"RS256","kid":""}`)},
		{"kid number", "kid 7 is not allowed", keysOnly, rs(`{"alg":"RS256","kid":7}`)},
		{"kid too long", "is not allowed", keysOnly, rs(`{"alg":"RS256","kid":"` + strings.Repeat("k", 200) + `"}`)},
		{"kid on HS token is SQL", `kid "1 OR 1=1" is not allowed`, withSecret,
			signedWith(t, jwt.SigningMethodHS256, testSecret, `{"alg":"HS256","kid":"1 OR 1=1"}`, `{"appId":1}`)},
		{"x5u header", `forbidden header "x5u"`, keysOnly, rs(`{"alg":"RS256","kid":"rsa-a","x5u":"https://evil.example/cert.pem"}`)},
		{"x5c header", `forbidden header "x5c"`, keysOnly, rs(`{"alg":"RS256","kid":"rsa-a","x5c":["MIIB"]}`)},
		{"jku header on RS256", `forbidden header "jku"`, keysOnly, rs(`{"alg":"RS256","kid":"rsa-a","jku":"https://evil.example/jwks.json"}`)},
		{"embedded jwk header", `forbidden header "jwk"`, keysOnly,
			rs(fmt.Sprintf(`{"alg":"RS256","jwk":%s}`, must(json.Marshal(jwkOf(t, &k.rsaA.PublicKey, "", "RS256")))))},
		{"crit header on RS256", `forbidden header "crit"`, keysOnly, rs(`{"alg":"RS256","kid":"rsa-a","crit":["b64"],"b64":false}`)},
		{"JWE header in three segments", `forbidden header "enc"`, keysOnly, rs(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"rsa-a"}`)},
		{"JWE compact, five segments", "5 segments", keysOnly,
			b64u.EncodeToString([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM"}`)) + ".AAAA.AAAA.AAAA.AAAA"},
		{"duplicate kid header", `duplicate key "kid"`, keysOnly, rs(`{"alg":"RS256","kid":"rsa-z","kid":"rsa-a"}`)},
		{"duplicate claim on RS256", `duplicate key "appId"`, keysOnly,
			signedWith(t, jwt.SigningMethodRS256, k.rsaA, `{"alg":"RS256","kid":"rsa-a"}`, `{"appId":1,"appId":2}`)},
		{"exp as string on RS256", "invalid type for claim: exp", keysOnly,
			signedWith(t, jwt.SigningMethodRS256, k.rsaA, `{"alg":"RS256","kid":"rsa-a"}`, `{"appId":1,"exp":"9999999999"}`)},
		{"aud as object on RS256", "aud claim is required", VerifierOptions{JWKSFile: file, Audience: "bi"},
			signedWith(t, jwt.SigningMethodRS256, k.rsaA, `{"alg":"RS256","kid":"rsa-a"}`, `{"appId":1,"aud":{"bi":true}}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, _, err := newVerifier(t, tt.opts).Verify(tt.token)
			var pe *pgerr.Error
			if !errors.As(err, &pe) {
				t.Fatalf("accepted (claims %v), want 28P01", claims)
			}
			if pe.Code != pgerr.InvalidPassword || pe.Severity != "FATAL" || pe.Message != "password authentication failed: invalid token" {
				t.Errorf("got %+v", pe)
			}
			if pe.Err == nil || !strings.Contains(pe.Err.Error(), tt.why) {
				t.Errorf("refused because %v, want %q", pe.Err, tt.why)
			}
		})
	}
}

func must(b []byte, err error) string {
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestParseJWKS(t *testing.T) {
	k := keys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	with := func(j map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range j {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	ec := jwkOf(t, &k.ec256.PublicKey, "e", "")
	tests := []struct {
		name string
		data string
		want string // error, or the kid:alg list of the keys
	}{
		{"all kinds", string(testJWKS(t)), "rsa-a:RS256 rsa-b:RS512 rsa-c:RS256 ec-256:ES256 ec-384:ES384 ed:EdDSA"},
		{"key without kid", string(jwksJSON(t, jwkOf(t, k.ed.Public(), "", ""))), ":EdDSA"},
		{"private key", string(jwksJSON(t, with(ec, "d", "AAAA"))), "key 0: a private key has no place in a JWK Set"},
		{"RSA 1024 bits", string(jwksJSON(t, jwkOf(t, &small.PublicKey, "s", "RS256"))), "key 0: RSA key of 1024 bits, want at least 2048"},
		{"RSA key pinned to ES256", string(jwksJSON(t, jwkOf(t, &k.rsaA.PublicKey, "r", "ES256"))), "key 0: an RSA key cannot be used with ES256"},
		{"P-256 key pinned to ES384", string(jwksJSON(t, with(ec, "alg", "ES384"))), "key 0: a P-256 key cannot be used with ES384"},
		{"EC point not on the curve", string(jwksJSON(t, with(ec, "y", b64u.EncodeToString(make([]byte, 32))))), "key 0: EC key: "},
		{"EC coordinate too short", string(jwksJSON(t, with(ec, "x", "AAAA"))), "key 0: P-256 coordinates must be 32 bytes"},
		{"EC P-521", string(jwksJSON(t, with(ec, "crv", "P-521"))), `key 0: EC curve "P-521" is not P-256 or P-384`},
		{"Ed448", string(jwksJSON(t, map[string]any{"kty": "OKP", "crv": "Ed448", "x": "AAAA"})), `key 0: OKP curve "Ed448" is not Ed25519`},
		{"oct key pinned to RS256", `{"keys":[{"kty":"oct","k":"c2VjcmV0","alg":"RS256"}]}`, `key 0: key type "oct" cannot be used with RS256`},
		{"bad base64", string(jwksJSON(t, with(ec, "x", "!!!"))), "key 0: x is not base64url"},
		{"unsafe kid", string(jwksJSON(t, jwkOf(t, k.ed.Public(), "../k", ""))), `key 0: kid "../k" is not allowed`},
		{"duplicate kid", string(jwksJSON(t, jwkOf(t, k.ed.Public(), "k", ""), jwkOf(t, &k.ec256.PublicKey, "k", ""))), `duplicate kid "k"`},
		{"duplicate JSON key", `{"keys":[],"keys":[]}`, `duplicate key "keys"`},
		{"only symmetric and encryption keys", `{"keys":[{"kty":"oct","k":"c2VjcmV0"},{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}]}`, "no RS256/384/512, ES256/384 or EdDSA signing key"},
		{"empty", `{"keys":[]}`, "no RS256/384/512, ES256/384 or EdDSA signing key"},
		{"not JSON", `keys`, "JWK Set: invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := parseJWKS([]byte(tt.data))
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				var ks []string
				for _, k := range set.all {
					ks = append(ks, k.kid+":"+k.alg)
				}
				got = strings.Join(ks, " ")
			}
			if err == nil && got != tt.want || err != nil && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// jwksServer serves a JWK Set that tests can swap, counting requests.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	body []byte
	code int
}

func newJWKSServer(t *testing.T, body []byte) *jwksServer {
	s := &jwksServer{body: body, code: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		body, code := s.body, s.code
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.WriteHeader(code)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(code int, body []byte) {
	s.mu.Lock()
	s.code, s.body = code, body
	s.mu.Unlock()
}

// TestJWKSURL checks the cache of a fetched JWK Set: one fetch serves many
// tokens, an unknown kid refetches at most once per interval, a rotated key
// is found, and a failing server keeps the previous set.
func TestJWKSURL(t *testing.T) {
	k := keys(t)
	srv := newJWKSServer(t, jwksJSON(t, jwkOf(t, &k.rsaA.PublicKey, "k1", "RS256")))
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	v := newVerifier(t, VerifierOptions{JWKSURL: srv.URL + "/jwks.json", JWKSMaxAge: 2 * time.Hour, JWKSRefetchInterval: time.Minute, Now: clock})
	exp := fmt.Sprintf(`"exp":%d`, now.Add(24*time.Hour).Unix())
	tok := func(key *rsa.PrivateKey, kid string) string {
		return signedWith(t, jwt.SigningMethodRS256, key, `{"alg":"RS256","kid":"`+kid+`"}`, `{"appId":1,`+exp+`}`)
	}
	step := func(name string, token string, ok bool, hits int64) {
		t.Helper()
		_, _, err := v.Verify(token)
		if (err == nil) != ok {
			t.Errorf("%s: err = %v (%v), want ok=%v", name, err, errors.Unwrap(err), ok)
		}
		if got := srv.hits.Load(); got != hits {
			t.Errorf("%s: %d fetches, want %d", name, got, hits)
		}
	}
	step("first token fetches", tok(k.rsaA, "k1"), true, 1)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { v.Verify(tok(k.rsaA, "k1")) })
	}
	wg.Wait()
	step("cached", tok(k.rsaA, "k1"), true, 1)
	step("unknown kid within the interval", tok(k.rsaA, "nope-1"), false, 1)
	advance(61 * time.Second)
	for i := range 50 {
		step("flood of unknown kids", tok(k.rsaA, fmt.Sprintf("nope-%d", i)), false, 2)
	}

	// Rotation: the new key is found by the refetch its kid triggers.
	srv.serve(http.StatusOK, jwksJSON(t, jwkOf(t, &k.rsaB.PublicKey, "k2", "RS256")))
	step("rotated key within the interval", tok(k.rsaB, "k2"), false, 2)
	advance(61 * time.Second)
	step("rotated key", tok(k.rsaB, "k2"), true, 3)
	step("old key gone", tok(k.rsaA, "k1"), false, 3)

	// Past the max age the set is refetched; a failure keeps the old one.
	srv.serve(http.StatusInternalServerError, []byte("oops"))
	advance(3 * time.Hour)
	step("server failing, stale set kept", tok(k.rsaB, "k2"), true, 4)
	step("failure not retried at once", tok(k.rsaB, "k2"), true, 4)
}

func TestJWKSURLFailures(t *testing.T) {
	k := keys(t)
	good := jwksJSON(t, jwkOf(t, &k.rsaA.PublicKey, "k1", "RS256"))
	token := signedWith(t, jwt.SigningMethodRS256, k.rsaA, `{"alg":"RS256","kid":"k1"}`, `{"appId":1}`)
	big := append(append([]byte(`{"keys":[],"pad":"`), strings.Repeat("x", MaxJWKSSize)...), `"}`...)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		why     string
	}{
		{"too large", func(w http.ResponseWriter, _ *http.Request) { w.Write(big) }, "JWK Set larger than 1048576 bytes"},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			w.Write(good)
		}, "Client.Timeout exceeded"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/jwks.json", http.StatusFound)
		}, "302 Found"},
		{"not found", http.NotFound, "404 Not Found"},
		{"not a JWK Set", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`<html>`)) }, "JWK Set: invalid character"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			v := newVerifier(t, VerifierOptions{JWKSURL: srv.URL, JWKSFetchTimeout: 200 * time.Millisecond})
			start := time.Now()
			_, _, err := v.Verify(token)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v", took)
			}
			var pe *pgerr.Error
			if !errors.As(err, &pe) || pe.Code != pgerr.InvalidPassword || !strings.Contains(pe.Err.Error(), tt.why) {
				t.Errorf("got %v (%v), want 28P01 because %q", err, errors.Unwrap(err), tt.why)
			}
		})
	}
}

func TestNewVerifierKeyOptions(t *testing.T) {
	file := writeJWKS(t, testJWKS(t))
	for _, tt := range []struct {
		name string
		opts VerifierOptions
		want string
	}{
		{"nothing", VerifierOptions{}, "a JWT secret or a JWK Set is required"},
		{"file and url", VerifierOptions{JWKSFile: file, JWKSURL: "https://idp.example/jwks"}, "not both"},
		{"http to another host", VerifierOptions{JWKSURL: "http://idp.example/jwks"}, "http is only allowed on a loopback host"},
		{"missing file", VerifierOptions{JWKSFile: file + ".missing"}, "no such file"},
		{"HS without secret", VerifierOptions{JWKSFile: file, Algorithms: []string{"HS256"}}, "algorithm HS256 needs a secret"},
		{"RS without keys", VerifierOptions{Secret: testSecret, Algorithms: []string{"RS256"}}, "algorithm RS256 needs a JWK Set"},
		{"unknown alg", VerifierOptions{Secret: testSecret, Algorithms: []string{"none"}}, `unsupported JWT algorithm "none"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewVerifier(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	v := newVerifier(t, VerifierOptions{JWKSFile: file})
	if diff := cmp.Diff(AsymmetricAlgorithms, v.opts.Algorithms); diff != "" {
		t.Errorf("default algorithms with only a JWK Set (-want +got):\n%s", diff)
	}
}

// FuzzParseJWKS: any input either fails or yields keys pinned to a
// supported algorithm with safe kids; it never panics.
func FuzzParseJWKS(f *testing.F) {
	f.Add(testJWKS(f))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","alg":"RS256","kid":"a"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := parseJWKS(data)
		if err != nil {
			return
		}
		for _, k := range set.all {
			if !slices.Contains(AsymmetricAlgorithms, k.alg) || k.key == nil || (k.kid != "" && !safeKid.MatchString(k.kid)) {
				t.Fatalf("key %+v", k)
			}
		}
	})
}

func BenchmarkVerifyPublicKey(b *testing.B) {
	k := keys(b)
	path := filepath.Join(b.TempDir(), "jwks.json")
	if err := os.WriteFile(path, testJWKS(b), 0o600); err != nil {
		b.Fatal(err)
	}
	v, err := NewVerifier(VerifierOptions{JWKSFile: path})
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		m   jwt.SigningMethod
		key any
		kid string
	}{
		{jwt.SigningMethodRS256, k.rsaA, "rsa-a"},
		{jwt.SigningMethodES256, k.ec256, "ec-256"},
		{jwt.SigningMethodEdDSA, k.ed, "ed"},
	} {
		tok := signedWith(b, tc.m, tc.key, `{"alg":"`+tc.m.Alg()+`","kid":"`+tc.kid+`"}`, `{"appId":1}`)
		b.Run(tc.m.Alg(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := v.Verify(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

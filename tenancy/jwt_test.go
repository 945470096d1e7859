package tenancy

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy/config"
)

var testSecret = []byte("tenancy-test-secret-0123456789abcdef-0123456789abcdef")

func newVerifier(t *testing.T, opts VerifierOptions) *Verifier {
	t.Helper()
	if opts.Secret == nil && opts.JWKSFile == "" && opts.JWKSURL == "" {
		opts.Secret = testSecret
	}
	v, err := NewVerifier(opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func signed(t *testing.T, m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	if _, ok := claims["exp"]; !ok {
		claims["exp"] = time.Now().Add(time.Hour).Unix()
	}
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// raw builds a token from literal header and payload JSON, HMAC-signed
// with the test secret under the header's alg when it is an HS alg.
func raw(t *testing.T, header, payload string) string {
	t.Helper()
	if strings.HasPrefix(payload, "{") && !strings.Contains(payload, `"exp"`) {
		// Every token expires, so that it fails for the reason under test.
		payload = fmt.Sprintf(`{"exp":%d,`, time.Now().Add(time.Hour).Unix()) + strings.TrimPrefix(payload, "{")
		payload = strings.Replace(payload, ",}", "}", 1)
	}
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	sig, err := jwt.SigningMethodHS256.Sign(unsigned, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return unsigned + "." + enc.EncodeToString(sig)
}

func TestVerifyAccepts(t *testing.T) {
	v := newVerifier(t, VerifierOptions{})
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		tok := signed(t, jwt.GetSigningMethod(alg), testSecret, jwt.MapClaims{"appId": 1, "userId": 2, "ratio": 1.5, "exp": exp.Unix()})
		claims, gotExp, err := v.Verify(tok)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		want := map[string]any{"appId": int64(1), "userId": int64(2), "ratio": 1.5, "exp": exp.Unix()}
		if diff := cmp.Diff(want, claims); diff != "" || !gotExp.Equal(exp) {
			t.Errorf("%s: claims (-want +got):\n%s exp %v", alg, diff, gotExp)
		}
	}
}

func TestVerifyNamespaceIssuerAudience(t *testing.T) {
	v := newVerifier(t, VerifierOptions{Issuer: "lattice", Audience: "bi", ClaimsNamespace: "https://x/claims"})
	tok := signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{
		"iss": "lattice", "aud": []string{"bi", "other"}, "https://x/claims": map[string]any{"appId": 3},
	})
	claims, exp, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"appId": int64(3)}, claims); diff != "" || exp.IsZero() {
		t.Errorf("claims (-want +got):\n%s exp %v", diff, exp)
	}
}

func TestLeeway(t *testing.T) {
	now := time.Now()
	v := newVerifier(t, VerifierOptions{Leeway: 5 * time.Second, Now: func() time.Time { return now }})
	ok := signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"exp": now.Add(-3 * time.Second).Unix(), "nbf": now.Add(3 * time.Second).Unix()})
	if _, _, err := v.Verify(ok); err != nil {
		t.Errorf("within leeway: %v", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	now := time.Now()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	good := jwt.MapClaims{"appId": 1, "exp": now.Add(time.Hour).Unix()}
	enc := base64.RawURLEncoding
	noneTok := func(alg string) string {
		return enc.EncodeToString([]byte(`{"alg":"`+alg+`","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(fmt.Sprintf(`{"appId":1,"exp":%d}`, now.Add(time.Hour).Unix()))) + "."
	}
	hsTok := signed(t, jwt.SigningMethodHS256, testSecret, good)
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"appId": 1}).SignedString(testSecret)
	parts := strings.Split(hsTok, ".")
	tests := []struct {
		name  string
		why   string // in the reason, for the log
		opts  VerifierOptions
		token string
	}{
		{"wrong signature", "signature is invalid", VerifierOptions{}, signed(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-another"), good)},
		{"tampered payload", "signature is invalid", VerifierOptions{}, parts[0] + "." + enc.EncodeToString([]byte(fmt.Sprintf(`{"appId":2,"exp":%d}`, now.Add(time.Hour).Unix()))) + "." + parts[2]},
		{"expired", "token is expired", VerifierOptions{Leeway: 5 * time.Second}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"exp": now.Add(-time.Minute).Unix()})},
		{"nbf in future", "not valid yet", VerifierOptions{Leeway: 5 * time.Second}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"nbf": now.Add(time.Minute).Unix()})},
		{"alg none", "empty segment", VerifierOptions{}, noneTok("none")},
		{"alg None", "empty segment", VerifierOptions{}, noneTok("None")},
		{"alg NONE", "empty segment", VerifierOptions{}, noneTok("NONE")},
		{"alg none signed", "algorithm \"none\" not allowed", VerifierOptions{}, raw(t, `{"alg":"none"}`, `{"appId":1}`)},
		{"alg nOnE signed", "algorithm \"nOnE\" not allowed", VerifierOptions{}, raw(t, `{"alg":"nOnE"}`, `{"appId":1}`)},
		{"HS/RS confusion", "algorithm \"RS256\" not allowed", VerifierOptions{}, signed(t, jwt.SigningMethodRS256, rsaKey, good)},
		{"RS256 header, HMAC signature", "algorithm \"RS256\" not allowed", VerifierOptions{}, raw(t, `{"alg":"RS256","typ":"JWT"}`, `{"appId":1}`)},
		{"unknown alg", "algorithm \"HS1024\" not allowed", VerifierOptions{}, raw(t, `{"alg":"HS1024"}`, `{"appId":1}`)},
		{"alg not allowed", "algorithm \"HS256\" not allowed", VerifierOptions{Algorithms: []string{"HS512"}}, hsTok},
		{"lowercase alg", "algorithm \"hs256\" not allowed", VerifierOptions{}, raw(t, `{"alg":"hs256"}`, `{"appId":1}`)},
		{"alg missing", "algorithm <nil> not allowed", VerifierOptions{}, raw(t, `{"typ":"JWT"}`, `{"appId":1}`)},
		{"garbage", "1 segments", VerifierOptions{}, "hunter2"},
		{"empty", "1 segments", VerifierOptions{}, ""},
		{"two segments", "2 segments", VerifierOptions{}, parts[0] + "." + parts[1]},
		{"four segments", "4 segments", VerifierOptions{}, hsTok + ".x"},
		{"JWE five segments", "5 segments", VerifierOptions{}, "a.b.c.d.e"},
		{"bad base64", "segment 1: illegal base64", VerifierOptions{}, parts[0] + ".!!!." + parts[2]},
		{"padded base64", "segment 0: illegal base64", VerifierOptions{}, parts[0] + "=." + parts[1] + "." + parts[2]},
		{"oversized", "exceeds 8192", VerifierOptions{}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"pad": strings.Repeat("x", MaxTokenSize)})},
		{"wrong issuer", "invalid issuer", VerifierOptions{Issuer: "lattice"}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"iss": "evil"})},
		{"missing issuer", "iss claim is required", VerifierOptions{Issuer: "lattice"}, hsTok},
		{"wrong audience", "invalid audience", VerifierOptions{Audience: "bi"}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"aud": "other"})},
		{"audience as object", "aud claim is required", VerifierOptions{Audience: "bi"}, raw(t, `{"alg":"HS256"}`, `{"aud":{"bi":true}}`)},
		{"exp as string", "invalid type for claim: exp", VerifierOptions{}, raw(t, `{"alg":"HS256"}`, `{"exp":"9999999999"}`)},
		{"duplicate claim", "duplicate key \"appId\"", VerifierOptions{}, raw(t, `{"alg":"HS256"}`, `{"appId":1,"appId":2}`)},
		{"duplicate nested claim", "duplicate key \"id\"", VerifierOptions{}, raw(t, `{"alg":"HS256"}`, `{"org":{"id":1,"id":2}}`)},
		{"duplicate header", "duplicate key \"alg\"", VerifierOptions{}, raw(t, `{"alg":"HS256","alg":"none"}`, `{"appId":1}`)},
		{"payload not an object", "not a JSON object", VerifierOptions{}, raw(t, `{"alg":"HS256"}`, `[1]`)},
		{"crit header", "forbidden header \"crit\"", VerifierOptions{}, raw(t, `{"alg":"HS256","crit":["exp"]}`, `{"appId":1}`)},
		{"jku header", "forbidden header \"jku\"", VerifierOptions{}, raw(t, `{"alg":"HS256","jku":"https://evil/keys"}`, `{"appId":1}`)},
		{"jwk header", "forbidden header \"jwk\"", VerifierOptions{}, raw(t, `{"alg":"HS256","jwk":{"kty":"oct"}}`, `{"appId":1}`)},
		{"missing namespace", "claims namespace \"ns\"", VerifierOptions{ClaimsNamespace: "ns"}, hsTok},
		{"missing exp", "exp claim is required", VerifierOptions{}, noExp},
		{"exp null", "invalid type for claim: exp", VerifierOptions{}, raw(t, `{"alg":"HS256"}`, `{"appId":1,"exp":null}`)},
		{"lifetime over the cap", "lifetime exceeds 1h0m0s", VerifierOptions{MaxTokenLifetime: time.Hour}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"exp": now.Add(2 * time.Hour).Unix()})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, _, err := newVerifier(t, tt.opts).Verify(tt.token)
			var pe *pgerr.Error
			if !errors.As(err, &pe) {
				t.Fatalf("accepted (claims %v), want 28P01", claims)
			}
			if pe.Code != pgerr.InvalidPassword || pe.Severity != "FATAL" || pe.Message != "password authentication failed: invalid token" || pe.Detail != "" {
				t.Errorf("got %+v", pe)
			}
			if pe.Err == nil {
				t.Error("no reason for the log")
			}
			if pe.Err != nil && !strings.Contains(pe.Err.Error(), tt.why) {
				t.Errorf("refused because %q, want %q", pe.Err, tt.why)
			}
		})
	}
}

func TestSign(t *testing.T) {
	v := newVerifier(t, VerifierOptions{})
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		tok, err := Sign(testSecret, alg, map[string]any{"appId": 3}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		claims, exp, err := v.Verify(tok)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if claims["appId"] != int64(3) || claims["iat"] == nil || time.Until(exp) < 59*time.Minute {
			t.Errorf("%s: claims %v exp %v", alg, claims, exp)
		}
	}
	tok, _ := Sign(testSecret, "HS256", map[string]any{"appId": 3}, 0)
	if _, _, err := v.Verify(tok); err == nil {
		t.Error("a token without exp was accepted")
	}
	v = newVerifier(t, VerifierOptions{AllowMissingExp: true})
	if claims, exp, err := v.Verify(tok); err != nil || !exp.IsZero() || claims["exp"] != nil {
		t.Errorf("ttl 0: %v %v %v", claims, exp, err)
	}
	for _, alg := range []string{"none", "RS256", "hs256"} {
		if _, err := Sign(testSecret, alg, nil, 0); err == nil {
			t.Errorf("signed with %s", alg)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	v := newVerifier(t, VerifierOptions{})
	tok, _ := Sign(testSecret, "HS256", map[string]any{"appId": 1}, time.Hour)
	c, err := v.Authenticate(t.Context(), tok, map[string]string{"user": "u", "database": "d", "application_name": "psql"})
	if err != nil {
		t.Fatal(err)
	}
	if c.User != "u" || c.Database != "d" || c.ApplicationName != "psql" || c.AuthInfo["appId"] != int64(1) || c.ExpiresAt.IsZero() {
		t.Errorf("context %+v", c)
	}
	if c.SecurityContext()["appId"] != int64(1) {
		t.Error("securityContext is not authInfo")
	}
}

func FuzzVerify(f *testing.F) {
	tok, _ := Sign(testSecret, "HS256", map[string]any{"appId": 1}, time.Hour)
	f.Add(tok)
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		v, _ := NewVerifier(VerifierOptions{Secret: testSecret})
		claims, _, err := v.Verify(s)
		if err == nil && s != tok && claims == nil {
			t.Fatal("accepted without claims")
		}
		if err != nil && pgerr.Code(err) != pgerr.InvalidPassword {
			t.Fatalf("code %s", pgerr.Code(err))
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	v, _ := NewVerifier(VerifierOptions{Secret: testSecret})
	tok, _ := Sign(testSecret, "HS256", map[string]any{"appId": 1, "userId": 2}, time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := v.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

func TestVerifierFromConfig(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", string(testSecret))
	noExp, _ := Sign(testSecret, "HS384", map[string]any{"appId": 1}, 0)
	for _, tt := range []struct {
		jwt    string
		accept bool
	}{
		{"{}", false},
		{"{require_exp: false}", true},
		{"{require_exp: false, algorithms: [HS256]}", false},
		{"{require_exp: false, issuer: lattice}", false},
	} {
		cfg, err := config.Parse([]byte("auth: {jwt: "+tt.jwt+"}\ntenancy: {driver_factory: {postgres: {host: h}}}\n"), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		v, err := VerifierFromConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := v.Verify(noExp); (err == nil) != tt.accept {
			t.Errorf("%s: accepted %v, want %v (%v)", tt.jwt, err == nil, tt.accept, err)
		}
	}
}

package tenancy

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

var testSecret = []byte("tenancy-test-secret-0123456789abcdef-0123456789abcdef")

func newVerifier(t *testing.T, opts VerifierOptions) *Verifier {
	t.Helper()
	if opts.Secret == nil {
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
	if diff := cmp.Diff(map[string]any{"appId": int64(3)}, claims); diff != "" || !exp.IsZero() {
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
		return enc.EncodeToString([]byte(`{"alg":"`+alg+`","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(`{"appId":1}`)) + "."
	}
	hsTok := signed(t, jwt.SigningMethodHS256, testSecret, good)
	parts := strings.Split(hsTok, ".")
	tests := []struct {
		name  string
		opts  VerifierOptions
		token string
	}{
		{"wrong signature", VerifierOptions{}, signed(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-another"), good)},
		{"tampered payload", VerifierOptions{}, parts[0] + "." + enc.EncodeToString([]byte(`{"appId":2}`)) + "." + parts[2]},
		{"expired", VerifierOptions{Leeway: 5 * time.Second}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"exp": now.Add(-time.Minute).Unix()})},
		{"nbf in future", VerifierOptions{Leeway: 5 * time.Second}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"nbf": now.Add(time.Minute).Unix()})},
		{"alg none", VerifierOptions{}, noneTok("none")},
		{"alg None", VerifierOptions{}, noneTok("None")},
		{"alg NONE", VerifierOptions{}, noneTok("NONE")},
		{"alg none signed", VerifierOptions{}, raw(t, `{"alg":"none"}`, `{"appId":1}`)},
		{"alg nOnE signed", VerifierOptions{}, raw(t, `{"alg":"nOnE"}`, `{"appId":1}`)},
		{"HS/RS confusion", VerifierOptions{}, signed(t, jwt.SigningMethodRS256, rsaKey, good)},
		{"RS256 header, HMAC signature", VerifierOptions{}, raw(t, `{"alg":"RS256","typ":"JWT"}`, `{"appId":1}`)},
		{"unknown alg", VerifierOptions{}, raw(t, `{"alg":"HS1024"}`, `{"appId":1}`)},
		{"alg not allowed", VerifierOptions{Algorithms: []string{"HS512"}}, hsTok},
		{"lowercase alg", VerifierOptions{}, raw(t, `{"alg":"hs256"}`, `{"appId":1}`)},
		{"alg missing", VerifierOptions{}, raw(t, `{"typ":"JWT"}`, `{"appId":1}`)},
		{"garbage", VerifierOptions{}, "hunter2"},
		{"empty", VerifierOptions{}, ""},
		{"two segments", VerifierOptions{}, parts[0] + "." + parts[1]},
		{"four segments", VerifierOptions{}, hsTok + ".x"},
		{"JWE five segments", VerifierOptions{}, "a.b.c.d.e"},
		{"bad base64", VerifierOptions{}, parts[0] + ".!!!." + parts[2]},
		{"padded base64", VerifierOptions{}, parts[0] + "=." + parts[1] + "." + parts[2]},
		{"oversized", VerifierOptions{}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"pad": strings.Repeat("x", MaxTokenSize)})},
		{"wrong issuer", VerifierOptions{Issuer: "lattice"}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"iss": "evil"})},
		{"missing issuer", VerifierOptions{Issuer: "lattice"}, hsTok},
		{"wrong audience", VerifierOptions{Audience: "bi"}, signed(t, jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"aud": "other"})},
		{"audience as object", VerifierOptions{Audience: "bi"}, raw(t, `{"alg":"HS256"}`, `{"aud":{"bi":true}}`)},
		{"exp as string", VerifierOptions{}, raw(t, `{"alg":"HS256"}`, `{"exp":"9999999999"}`)},
		{"duplicate claim", VerifierOptions{}, raw(t, `{"alg":"HS256"}`, `{"appId":1,"appId":2}`)},
		{"duplicate nested claim", VerifierOptions{}, raw(t, `{"alg":"HS256"}`, `{"org":{"id":1,"id":2}}`)},
		{"duplicate header", VerifierOptions{}, raw(t, `{"alg":"HS256","alg":"none"}`, `{"appId":1}`)},
		{"payload not an object", VerifierOptions{}, raw(t, `{"alg":"HS256"}`, `[1]`)},
		{"crit header", VerifierOptions{}, raw(t, `{"alg":"HS256","crit":["exp"]}`, `{"appId":1}`)},
		{"jku header", VerifierOptions{}, raw(t, `{"alg":"HS256","jku":"https://evil/keys"}`, `{"appId":1}`)},
		{"jwk header", VerifierOptions{}, raw(t, `{"alg":"HS256","jwk":{"kty":"oct"}}`, `{"appId":1}`)},
		{"missing namespace", VerifierOptions{ClaimsNamespace: "ns"}, hsTok},
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

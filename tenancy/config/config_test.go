package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/tenancy/driver"
)

// seedConfig is ARCHITECTURE §3's example, verbatim.
const seedConfig = `listen: 127.0.0.1:15432
auth:
  jwt:
    secret: ${CUBEJS_API_SECRET}          # ${VAR} expands from the environment at load
tenancy:
  context_to_app_id: "CUBEJS_APP_{{ authInfo.appId }}_{{ authInfo.userId }}"
  db_type: "{{ authInfo.appId == 3 ? 'mongobi' : 'postgres' }}"
  driver_factory:
    postgres:
      host: 127.0.0.1
      port: 5432
      user: postgres
      database: "my_app_{{ authInfo.appId }}_{{ authInfo.userId }}"
    mongobi:
      host: 127.0.0.1
      port: 3307
      user: root
      database: "my_app_{{ authInfo.appId }}_{{ authInfo.userId }}"
  repository_factory:
    path: "model/{{ authInfo.appId }}"    # relative paths are relative to this file
`

func render(t *testing.T, tpl *Template, v Vars) string {
	t.Helper()
	s, err := tpl.Render(v, nil)
	if err != nil {
		t.Fatalf("%s: %v", tpl.Key, err)
	}
	return s
}

// jsonClaims decodes claims as a JWT library does: numbers are float64.
func jsonClaims(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSeedExample(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", "s3cret")
	dir := t.TempDir()
	c, err := Parse([]byte(seedConfig), dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:15432" || c.Auth.JWT.Secret != "s3cret" {
		t.Errorf("listen %q secret %q", c.Listen, c.Auth.JWT.Secret)
	}
	if diff := cmp.Diff(DefaultAlgorithms, c.Auth.JWT.Algorithms); diff != "" || c.Auth.JWT.Leeway != 5*time.Second {
		t.Errorf("jwt defaults: %s leeway %v", diff, c.Auth.JWT.Leeway)
	}
	if c.Tenancy.RepositoryFactory.Root != filepath.Join(dir, "model") {
		t.Errorf("repository root %q", c.Tenancy.RepositoryFactory.Root)
	}
	tests := []struct {
		claims                  string
		appID, dbType, db, path string
	}{
		{`{"appId":1,"userId":2}`, "CUBEJS_APP_1_2", "postgres", "my_app_1_2", "model/1"},
		{`{"appId":2,"userId":5}`, "CUBEJS_APP_2_5", "postgres", "my_app_2_5", "model/2"},
		{`{"appId":3,"userId":7}`, "CUBEJS_APP_3_7", "mongobi", "my_app_3_7", "model/3"},
		{`{"appId":3.0,"userId":"x"}`, "CUBEJS_APP_3_x", "mongobi", "my_app_3_x", "model/3"},
	}
	for _, tt := range tests {
		v := Vars{AuthInfo: jsonClaims(t, tt.claims)}
		tn := c.Tenancy
		got := []string{
			render(t, tn.ContextToAppID, v),
			render(t, tn.DBType, v),
			render(t, tn.DriverFactory[tt.dbType].Database, v),
			render(t, tn.RepositoryFactory.Path, v),
		}
		if diff := cmp.Diff([]string{tt.appID, tt.dbType, tt.db, tt.path}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.claims, diff)
		}
	}
	if got := render(t, c.Tenancy.DriverFactory["mongobi"].Port, Vars{}); got != "3307" {
		t.Errorf("mongobi port %q", got)
	}
	if dt := c.Tenancy.DriverFactory["postgres"]; dt.Line != 9 || dt.Database.Line != 13 {
		t.Errorf("lines: entry %d database %d", dt.Line, dt.Database.Line)
	}
}

func TestLoadResolvesRelativePaths(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", "s")
	c, err := Load("../../examples/seed/lattice.yml")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Abs("../../examples/seed/model")
	if c.Tenancy.RepositoryFactory.Root != want || c.Dir != filepath.Dir(want) {
		t.Errorf("root %q dir %q, want %q", c.Tenancy.RepositoryFactory.Root, c.Dir, want)
	}

	dir := t.TempDir()
	cfg := "tls: {cert_file: certs/a.pem, key_file: /etc/k.pem}\ndriver: x\n"
	if err := os.WriteFile(filepath.Join(dir, "l.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(filepath.Join(dir, "l.yml"))
	if want := filepath.Join(dir, "l.yml") + ":2: driver: unknown key"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	cfg = "tls: {cert_file: certs/a.pem, key_file: /etc/k.pem}\ntenancy: {driver_factory: {postgres: {host: h}}}\n"
	c, err = Parse([]byte(cfg), dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.TLS.CertFile != filepath.Join(dir, "certs/a.pem") || c.TLS.KeyFile != "/etc/k.pem" {
		t.Errorf("tls %+v", c.TLS)
	}
}

func TestDefaults(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", "from-env")
	c, err := Parse([]byte("tenancy:\n  driver_factory:\n    mysql: {host: db}\n"), "/srv/lattice")
	if err != nil {
		t.Fatal(err)
	}
	v := Vars{}
	got := map[string]any{
		"listen": c.Listen, "secret": c.Auth.JWT.Secret,
		"app": render(t, c.Tenancy.ContextToAppID, v), "dbType": render(t, c.Tenancy.DBType, v),
		"path": render(t, c.Tenancy.RepositoryFactory.Path, v), "root": c.Tenancy.RepositoryFactory.Root,
		"maxApps": c.Tenancy.MaxApps, "ttl": c.Tenancy.AppIdleTTL, "log": c.Log,
		"requireExp": c.Auth.JWT.RequireExp, "maxLifetime": c.Auth.JWT.MaxTokenLifetime,
	}
	want := map[string]any{
		"listen": "127.0.0.1:15432", "secret": "from-env",
		"app": "STANDALONE", "dbType": "mysql",
		"path": "model", "root": "/srv/lattice/model",
		"maxApps": DefaultMaxApps, "ttl": DefaultAppIdleTTL, "log": Log{Level: "info", Format: "text"},
		"requireExp": true, "maxLifetime": time.Duration(0),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	c, err = Parse([]byte("auth: {jwt: {require_exp: false, max_token_lifetime: 24h, issuer: i, audience: a, claims_namespace: n}}\n"+
		"tenancy:\n  driver_factory:\n    mysql: {host: db}\n"), "/x")
	if err != nil {
		t.Fatal(err)
	}
	wantJWT := JWT{Secret: "from-env", Algorithms: DefaultAlgorithms, Issuer: "i", Audience: "a", Leeway: DefaultLeeway,
		ClaimsNamespace: "n", RequireExp: false, MaxTokenLifetime: 24 * time.Hour}
	if diff := cmp.Diff(wantJWT, c.Auth.JWT); diff != "" {
		t.Errorf("jwt (-want +got):\n%s", diff)
	}
	c, err = Parse([]byte("tenancy:\n  max_apps: 0\n  app_idle_ttl: 0s\n  driver_factory:\n    mysql: {host: db}\n"), "/x")
	if err != nil || c.Tenancy.MaxApps != 0 || c.Tenancy.AppIdleTTL != 0 {
		t.Errorf("explicit zero bounds: %v %+v", err, c.Tenancy)
	}
}

func TestParseErrors(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", "s")
	t.Setenv("LATTICE_TEST_EMPTY", "")
	const df = "tenancy:\n  driver_factory:\n    postgres:\n      host: h\n"
	tests := []struct {
		name, cfg, want string
	}{
		{"unknown top key", "listn: x\n" + df, "line 1: listn: unknown key"},
		{"unknown nested key", df + "      hots: h\n", "line 5: tenancy.driver_factory.postgres.hots: unknown key"},
		{"unknown jwt key", "auth:\n  jwt:\n    secrett: x\n" + df, "line 3: auth.jwt.secrett: unknown key"},
		{"duplicate key", df + "      host: h2\n", "line 5: tenancy.driver_factory.postgres.host: duplicate key"},
		{"missing env", "listen: ${LATTICE_TEST_NOPE}\n" + df, "line 1: listen: environment variable LATTICE_TEST_NOPE is not set"},
		{"missing env in template text", df + "      password: \"p_${LATTICE_TEST_NOPE}\"\n", "line 5: tenancy.driver_factory.postgres.password: environment variable LATTICE_TEST_NOPE is not set"},
		{"cel syntax error", df + "  db_type: \"{{ authInfo.appId == }}\"\n", "line 5: tenancy.db_type: {{ authInfo.appId == }}: 1:18: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"},
		{"undeclared variable", df + "  context_to_app_id: \"{{ claims.x }}\"\n", "line 5: tenancy.context_to_app_id: {{ claims.x }}: 1:1: undeclared reference to 'claims' (in container '')"},
		{"map result", df + "  context_to_app_id: \"{{ authInfo }}\"\n", "line 5: tenancy.context_to_app_id: {{ authInfo }}: result type map(string, dyn) is not a string, number or bool"},
		{"unterminated hole", df + "  context_to_app_id: \"a{{ user \"\n", "line 5: tenancy.context_to_app_id: unterminated {{ in template"},
		{"bad duration", "limits:\n  idle_timeout: 10\n" + df, "line 2: limits.idle_timeout: want a duration like \"30s\", got \"10\""},
		{"bad bool", "auth:\n  allow_insecure: yes\n" + df, "line 2: auth.allow_insecure: want true or false, got \"yes\""},
		{"unknown db type", "tenancy:\n  driver_factory:\n    oracle: {host: h}\n", "line 3: tenancy.driver_factory.oracle: unknown database type (want one of " + strings.Join(driver.Types(), ", ") + ")"},
		{"several without db_type", df + "    mysql: {host: h}\n", "line 2: tenancy.db_type: required when driver_factory has several entries"},
		{"db_type without entry", df + "  db_type: mysql\n", "line 5: tenancy.db_type: \"mysql\" has no driver_factory entry"},
		{"no driver_factory", "listen: 127.0.0.1:1\n", "tenancy.driver_factory: at least one database is required"},
		{"bad port", df + "      port: 99999\n", "line 5: tenancy.driver_factory.postgres.port: port must be a number from 1 to 65535, got \"99999\""},
		{"bad sslmode", df + "      sslmode: prefer\n", "line 5: tenancy.driver_factory.postgres.sslmode: sslmode must be disable, require or verify-full, got \"prefer\""},
		{"rs256 without jwks", "auth:\n  jwt:\n    algorithms: [HS256, RS256]\n" + df, "line 3: auth.jwt.algorithms: RS256 needs auth.jwt.jwks_file or jwks_url"},
		{"unknown alg", "auth:\n  jwt:\n    algorithms: [HS256, PS256]\n" + df, "line 3: auth.jwt.algorithms: unsupported algorithm \"PS256\" (want HS256/384/512, RS256/384/512, ES256/384 or EdDSA)"},
		{"hs without secret", "auth:\n  jwt:\n    jwks_file: keys.json\n    algorithms: [HS256]\n" + df, "line 4: auth.jwt.algorithms: HS256 needs auth.jwt.secret"},
		{"jwks file and url", "auth:\n  jwt:\n    jwks_file: keys.json\n    jwks_url: https://idp/keys\n" + df, "line 4: auth.jwt.jwks_url: set jwks_file or jwks_url, not both"},
		{"jwks url over http", "auth:\n  jwt:\n    jwks_url: http://idp.example/keys\n" + df, "line 3: auth.jwt.jwks_url: \"http://idp.example/keys\": http is only allowed on a loopback host; use https"},
		{"jwks url scheme", "auth:\n  jwt:\n    jwks_url: file:///etc/keys\n" + df, "line 3: auth.jwt.jwks_url: \"file:///etc/keys\": want an https URL"},
		{"empty secret", "auth:\n  jwt:\n    secret: ${LATTICE_TEST_EMPTY}\n" + df, "" /* falls back to CUBEJS_API_SECRET */},
		{"tls half", "tls:\n  cert_file: a.pem\n" + df, "line 1: tls: cert_file and key_file go together"},
		{"listen", "listen: 15432\n" + df, "line 1: listen: want host:port, got \"15432\""},
		{"log level", "log: {level: loud}\n" + df, "line 1: log.level: want debug, info, warn or error, got \"loud\""},
		{"not a mapping", "tenancy: [1]\n", "line 1: tenancy: want a mapping"},
		{"alias", "x: &a 1\nlisten: *a\n", "line 1: x: unknown key"},
		{"alias value", "auth: &a {}\nlimits: *a\n" + df, "line 2: limits: aliases are not supported"},
		{"two documents", df + "---\nlisten: x\n", "line 5: only one YAML document is allowed"},
		{"path reads more than the app id", df + "  context_to_app_id: \"a_{{ authInfo.appId }}\"\n  repository_factory:\n    path: \"m/{{ authInfo.appId }}/{{ authInfo.userId }}\"\n", "line 7: tenancy.repository_factory.path: reads authInfo.userId, which context_to_app_id does not: tenants with one app id could get different models"},
		{"list where scalar", "listen: [a]\n" + df, "line 1: listen: want a single value"},
		{"yaml syntax", "listen: \"x\n", "yaml: line 2: found unexpected end of stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.cfg), "/x")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestMissingSecret(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", "")
	_, err := Parse([]byte("tenancy:\n  driver_factory:\n    postgres: {host: h}\n"), "/x")
	if err == nil || err.Error() != "auth.jwt.secret: a secret or a JWK Set (jwks_file, jwks_url) is required (or set CUBEJS_API_SECRET)" {
		t.Errorf("got %v", err)
	}
}

func TestEnvExpansion(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", "s")
	t.Setenv("LATTICE_TEST_A", "alpha")
	t.Setenv("LATTICE_TEST_CODE", "{{ user }}")
	c, err := Parse([]byte(`
listen: "${LATTICE_TEST_A}:1"
tenancy:
  context_to_app_id: "$${LATTICE_TEST_A}-${LATTICE_TEST_A}-{{ user }}"
  driver_factory:
    postgres:
      host: h
      password: "${LATTICE_TEST_CODE}"
`), "/x")
	if err != nil {
		t.Fatal(err)
	}
	v := Vars{User: "bob"}
	got := []string{c.Listen, render(t, c.Tenancy.ContextToAppID, v), render(t, c.Tenancy.DriverFactory["postgres"].Password, v)}
	// An environment value is text, never a template hole.
	want := []string{"alpha:1", "${LATTICE_TEST_A}-alpha-bob", "{{ user }}"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func compile(t *testing.T, src string) *Template {
	t.Helper()
	tpl, err := compileTemplate("k", 1, src)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestTemplateRender(t *testing.T) {
	claims := jsonClaims(t, `{"appId":1,"userId":2,"ratio":1.5,"big":1e6,"name":"Ann","admin":true,"org":{"id":7}}`)
	tests := []struct{ src, want string }{
		{"plain text", "plain text"},
		{"{{ authInfo.appId }}", "1"},
		{"{{ authInfo.ratio }}", "1.5"},
		{"{{ authInfo.big }}", "1000000"},
		{"{{ authInfo.admin }}", "true"},
		{"{{ authInfo.org.id }}", "7"},
		{"{{ authInfo['name'] }}", "Ann"},
		{"{{ securityContext.userId }}", "2"},
		{"a{{ authInfo.appId }}b{{ authInfo.userId }}c", "a1b2c"},
		{"{{ authInfo.appId == 1 ? 'one' : 'other' }}", "one"},
		{"{{ authInfo.appId == 1.0 }}", "true"},
		{"{{ authInfo.ratio > 1 }}", "true"},
		{"{{ authInfo.appId + 1 }}", "2"},
		{"{{ 5432 }}", "5432"},
		{"{{ '}}' + user }}", "}}bob"},
		{"{{ user.lowerAscii() }}_{{ database }}_{{ application_name }}", "bob_db_psql"},
		{"{{ has(authInfo.tenant) ? authInfo.tenant : 'none' }}", "none"},
		{"{{ 7.0 / 2.0 }}", "3.5"},
	}
	v := Vars{AuthInfo: claims, User: "BOB", Database: "db", ApplicationName: "psql"}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			vv := v
			if strings.Contains(tt.src, "'}}'") {
				vv.User = "bob"
			}
			if got := render(t, compile(t, tt.src), vv); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// The seed's ternary must work whatever Go type the claim arrives as.
func TestTernaryWithEveryNumberType(t *testing.T) {
	tpl := compile(t, "{{ authInfo.appId == 3 ? 'mongobi' : 'postgres' }}")
	for _, id := range []any{3, int64(3), float64(3), json.Number("3"), uint8(3)} {
		got := render(t, tpl, Vars{AuthInfo: map[string]any{"appId": id}})
		if got != "mongobi" {
			t.Errorf("appId %T(%v): got %q", id, id, got)
		}
	}
	if got := render(t, tpl, Vars{AuthInfo: map[string]any{"appId": 1.0}}); got != "postgres" {
		t.Errorf("appId 1: got %q", got)
	}
}

func TestMissingClaimIsNamed(t *testing.T) {
	tests := []struct{ src, claims, want string }{
		{"my_app_{{ authInfo.appId }}", `{"userId":1}`, "authInfo.appId: no such claim"},
		{"{{ authInfo.appId }}_{{ authInfo.userId }}", `{"appId":1}`, "authInfo.userId: no such claim"},
		{"{{ securityContext.org.id }}", `{"org":{}}`, "securityContext.org.id: no such claim"},
		{"{{ authInfo['team'] }}", `{}`, "authInfo.team: no such claim"},
	}
	for _, tt := range tests {
		_, err := compile(t, tt.src).Render(Vars{AuthInfo: jsonClaims(t, tt.claims)}, nil)
		if err == nil || !errors.Is(err, ErrNoSuchClaim) || !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want ...%s", tt.src, err, tt.want)
		}
	}
}

func TestHoleRefsAndCheck(t *testing.T) {
	tpl := compile(t, "db_{{ authInfo.org.id }}_{{ user }}_{{ authInfo['x'] == 1 ? 'a' : 'b' }}")
	var got [][]string
	for _, h := range tpl.Holes() {
		got = append(got, h.Refs)
	}
	want := [][]string{{"authInfo.org.id"}, {"user"}, {"authInfo.x"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
	// The check sees hole results only, never the literal text.
	var seen []string
	_, err := tpl.Render(Vars{AuthInfo: map[string]any{"org": map[string]any{"id": "o"}, "x": 1}, User: "u"},
		func(h *Hole, v string) error { seen = append(seen, v); return nil })
	if err != nil || !cmp.Equal(seen, []string{"o", "u", "a"}) {
		t.Errorf("checked %v, err %v", seen, err)
	}
	boom := errors.New("refused")
	if _, err := tpl.Render(Vars{AuthInfo: map[string]any{"org": map[string]any{"id": "o"}, "x": 1}},
		func(*Hole, string) error { return boom }); err != boom {
		t.Errorf("check error not returned as is: %v", err)
	}
	if p := compile(t, "/srv/models/app_{{ user }}/x").LiteralPrefix(); p != "/srv/models/app_" {
		t.Errorf("literal prefix %q", p)
	}
}

func TestTemplatePathRoot(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", "s")
	tests := []struct{ path, root string }{
		{"model/{{ user }}", "/cfg/model"},
		{"models/app_{{ user }}/cubes", "/cfg/models"},
		{"{{ user }}", "/cfg"},
		{"/srv/m/{{ user }}", "/srv/m"},
		{"fixed", "/cfg/fixed"},
	}
	for _, tt := range tests {
		c, err := Parse([]byte("tenancy:\n  context_to_app_id: \"{{ user }}\"\n  repository_factory: {path: \""+tt.path+"\"}\n  driver_factory: {postgres: {host: h}}\n"), "/cfg")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Tenancy.RepositoryFactory.Root; got != tt.root {
			t.Errorf("%s: root %q, want %q", tt.path, got, tt.root)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(seedConfig))
	f.Add([]byte("tenancy:\n  driver_factory:\n    postgres: {host: \"{{ user }}\"}\n"))
	f.Add([]byte("listen: ${X}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "/fuzz")
		if err == nil && (c.Tenancy.ContextToAppID == nil || c.Tenancy.DBType == nil || c.Tenancy.RepositoryFactory.Path == nil) {
			t.Fatal("a loaded config lacks a hook")
		}
	})
}

func BenchmarkRender(b *testing.B) {
	tpl, err := compileTemplate("k", 1, "my_app_{{ authInfo.appId }}_{{ authInfo.userId }}")
	if err != nil {
		b.Fatal(err)
	}
	v := Vars{AuthInfo: map[string]any{"appId": 1.0, "userId": 2.0, "name": "x"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(v, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestJWKSConfig(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", "from-the-environment")
	df := "tenancy:\n  driver_factory:\n    postgres: {host: h}\n"
	for _, tt := range []struct {
		name, auth string
		want       JWT
	}{
		{"file only: no env secret, public-key algs", "auth:\n  jwt:\n    jwks_file: keys/jwks.json\n",
			JWT{JWKSFile: "/x/keys/jwks.json", Algorithms: AsymmetricAlgorithms}},
		{"url and secret", "auth:\n  jwt:\n    secret: s\n    jwks_url: https://idp.example/.well-known/jwks.json\n    jwks_max_age: 1h\n    jwks_refetch_interval: 1m\n",
			JWT{Secret: "s", JWKSURL: "https://idp.example/.well-known/jwks.json", JWKSMaxAge: time.Hour, JWKSRefetchInterval: time.Minute,
				Algorithms: append(append([]string{}, DefaultAlgorithms...), AsymmetricAlgorithms...)}},
		{"loopback http", "auth:\n  jwt:\n    jwks_url: http://127.0.0.1:8080/keys\n    algorithms: [ES256]\n",
			JWT{JWKSURL: "http://127.0.0.1:8080/keys", Algorithms: []string{"ES256"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.auth+df), "/x")
			if err != nil {
				t.Fatal(err)
			}
			got := c.Auth.JWT
			got.Leeway, got.RequireExp = 0, false
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTenancyBounds(t *testing.T) {
	c, err := Parse([]byte("auth: {jwt: {secret: s}}\ntenancy:\n  schema_version: \"{{ authInfo.v }}\"\n  max_backend_connections: 50\n  driver_factory:\n    postgres: {host: h}\n"), "/x")
	if err != nil {
		t.Fatal(err)
	}
	if c.Tenancy.SchemaVersion == nil || c.Tenancy.SchemaVersion.Source != "{{ authInfo.v }}" || c.Tenancy.MaxBackendConnections != 50 {
		t.Errorf("tenancy %+v", c.Tenancy)
	}
	if _, err := Parse([]byte("auth: {jwt: {secret: s}}\ntenancy:\n  max_backend_connections: -1\n  driver_factory:\n    postgres: {host: h}\n"), "/x"); err == nil {
		t.Error("negative max_backend_connections accepted")
	}
}

package tenancy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy/config"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

// seedYAML is the seed's example (ARCHITECTURE §3).
const seedYAML = `listen: 127.0.0.1:15432
auth:
  jwt:
    secret: ${CUBEJS_API_SECRET}
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
    path: "model/{{ authInfo.appId }}"
`

// seedHooks loads seedYAML from a directory holding model/1..3.
func seedHooks(t *testing.T, yml string) (Hooks, string) {
	t.Helper()
	t.Setenv("CUBEJS_API_SECRET", "s")
	dir := t.TempDir()
	for _, app := range []string{"1", "2", "3"} {
		if err := os.MkdirAll(filepath.Join(dir, "model", app), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Parse([]byte(yml), dir)
	if err != nil {
		t.Fatal(err)
	}
	h, err := HooksFromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, dir
}

// claimsCtx decodes JSON claims as they arrive from a token.
func claimsCtx(t *testing.T, js string) *Context {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return &Context{AuthInfo: m, User: "any", Database: "any"}
}

func TestSeedHooks(t *testing.T) {
	h, dir := seedHooks(t, seedYAML)
	tests := []struct {
		claims string
		appID  string
		cfg    driver.Config
		model  string
	}{
		{`{"appId":1,"userId":2}`, "CUBEJS_APP_1_2", driver.Config{Type: "postgres", Host: "127.0.0.1", Port: 5432, User: "postgres", Database: "my_app_1_2"}, "model/1"},
		{`{"appId":1,"userId":3}`, "CUBEJS_APP_1_3", driver.Config{Type: "postgres", Host: "127.0.0.1", Port: 5432, User: "postgres", Database: "my_app_1_3"}, "model/1"},
		{`{"appId":2,"userId":5}`, "CUBEJS_APP_2_5", driver.Config{Type: "postgres", Host: "127.0.0.1", Port: 5432, User: "postgres", Database: "my_app_2_5"}, "model/2"},
		{`{"appId":3,"userId":7}`, "CUBEJS_APP_3_7", driver.Config{Type: "mongobi", Host: "127.0.0.1", Port: 3307, User: "root", Database: "my_app_3_7"}, "model/3"},
	}
	for _, tt := range tests {
		c := claimsCtx(t, tt.claims)
		id, err := h.ContextToAppID(c)
		if err != nil || id != tt.appID {
			t.Errorf("%s: app id %q %v", tt.claims, id, err)
		}
		typ, err := h.DBType(c)
		if err != nil || typ != tt.cfg.Type {
			t.Errorf("%s: db type %q %v", tt.claims, typ, err)
		}
		cfg, err := h.DriverFactory(c, typ)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.cfg, cfg); diff != "" {
			t.Errorf("%s: driver config (-want +got):\n%s", tt.claims, diff)
		}
		repo, err := h.RepositoryFactory(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := repo.(schema.DirRepository).Root; got != filepath.Join(dir, tt.model) {
			t.Errorf("%s: model root %q", tt.claims, got)
		}
	}
}

// wantRefused checks a FATAL 28000 whose message names what.
func wantRefused(t *testing.T, err error, what string) {
	t.Helper()
	var pe *pgerr.Error
	if !errors.As(err, &pe) || pe.Code != pgerr.InvalidAuthorization || pe.Severity != "FATAL" {
		t.Fatalf("got %v, want FATAL 28000", err)
	}
	if !strings.Contains(pe.Message, what) {
		t.Errorf("message %q does not name %s", pe.Message, what)
	}
}

func TestInjectedClaimsAreRefused(t *testing.T) {
	h, _ := seedHooks(t, seedYAML)
	bad := []any{
		"../x", "..", "a/b", `a\b`, "a;b", "x y", "host=evil", "a?b&c=d", "a'b", `a"b`, "a\x00b", "a\nb", "a.b",
		"ｘ", "аpp", // fullwidth x, Cyrillic а
		"", strings.Repeat("a", 64), 1.5, 1e100,
	}
	for _, v := range bad {
		t.Logf("value %#v", v)
		c := &Context{AuthInfo: map[string]any{"appId": 1, "userId": v}}
		_, err := h.DriverFactory(c, "postgres")
		wantRefused(t, err, "authInfo.userId")
		c = &Context{AuthInfo: map[string]any{"appId": v, "userId": 1}}
		_, err = h.RepositoryFactory(c)
		wantRefused(t, err, "authInfo.appId")
	}
	// Each hole is short enough, but the name would exceed 63 bytes.
	c := &Context{AuthInfo: map[string]any{"appId": strings.Repeat("a", 30), "userId": strings.Repeat("b", 30)}}
	_, err := h.DriverFactory(c, "postgres")
	wantRefused(t, err, "database is longer than 63 bytes")
	// The longest allowed value passes.
	c = &Context{AuthInfo: map[string]any{"appId": 1, "userId": strings.Repeat("b", 50)}}
	if _, err := h.DriverFactory(c, "postgres"); err != nil {
		t.Errorf("50-byte user id: %v", err)
	}
}

func TestStartupParametersAreChecked(t *testing.T) {
	h, _ := seedHooks(t, strings.Replace(seedYAML, `"my_app_{{ authInfo.appId }}_{{ authInfo.userId }}"`, `"db_{{ database }}"`, 1))
	_, err := h.DriverFactory(&Context{AuthInfo: map[string]any{"appId": 1, "userId": 2}, Database: "x' OR 1"}, "postgres")
	wantRefused(t, err, "database")
	cfg, err := h.DriverFactory(&Context{AuthInfo: map[string]any{"appId": 1, "userId": 2}, Database: "sales"}, "postgres")
	if err != nil || cfg.Database != "db_sales" {
		t.Errorf("got %+v %v", cfg, err)
	}
}

func TestMissingClaimIsRefused(t *testing.T) {
	h, _ := seedHooks(t, seedYAML)
	c := claimsCtx(t, `{"userId":2}`)
	_, err := h.ContextToAppID(c)
	wantRefused(t, err, "authInfo.appId: no such claim")
	_, err = h.DBType(c)
	wantRefused(t, err, "authInfo.appId: no such claim")
	_, err = h.DriverFactory(claimsCtx(t, `{"appId":1}`), "postgres")
	wantRefused(t, err, "authInfo.userId: no such claim")
}

func TestRepositoryStaysInsideItsRoot(t *testing.T) {
	yml := strings.Replace(seedYAML, `path: "model/{{ authInfo.appId }}"`, `path: "model/{{ authInfo.appId }}/../../.."`, 1)
	h, _ := seedHooks(t, yml)
	_, err := h.RepositoryFactory(claimsCtx(t, `{"appId":1,"userId":2}`))
	wantRefused(t, err, "leaves its root")

	h, _ = seedHooks(t, seedYAML)
	_, err = h.RepositoryFactory(claimsCtx(t, `{"appId":9,"userId":2}`))
	wantRefused(t, err, "no data model")
}

func TestTemplatedPortAndDBType(t *testing.T) {
	yml := `
tenancy:
  context_to_app_id: "{{ authInfo.app }}"
  db_type: "{{ authInfo.kind }}"
  driver_factory:
    postgres: {host: h, port: "{{ authInfo.port }}", max_conns: "{{ 2 + 3 }}", sslmode: "{{ authInfo.ssl }}"}
    mysql: {host: h}
`
	h, _ := seedHooks(t, yml)
	cfg, err := h.DriverFactory(claimsCtx(t, `{"port":5433,"ssl":"require"}`), "postgres")
	if err != nil || cfg.Port != 5433 || cfg.MaxConns != 5 || cfg.SSLMode != "require" {
		t.Errorf("got %+v %v", cfg, err)
	}
	for _, claims := range []string{`{"port":"abc","ssl":"require"}`, `{"port":70000,"ssl":"require"}`, `{"port":1,"ssl":"prefer"}`} {
		_, err = h.DriverFactory(claimsCtx(t, claims), "postgres")
		wantRefused(t, err, "tenancy.driver_factory.postgres.")
	}
	_, err = h.DBType(claimsCtx(t, `{"kind":"mongobi"}`))
	wantRefused(t, err, `db_type "mongobi" has no driver_factory entry`)
}

func BenchmarkSeedHooks(b *testing.B) {
	b.Setenv("CUBEJS_API_SECRET", "s")
	cfg, err := config.Parse([]byte(seedYAML), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	h, _ := HooksFromConfig(cfg)
	c := &Context{AuthInfo: map[string]any{"appId": 1.0, "userId": 2.0}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.ContextToAppID(c); err != nil {
			b.Fatal(err)
		}
		typ, _ := h.DBType(c)
		if _, err := h.DriverFactory(c, typ); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSchemaVersionFromConfig(t *testing.T) {
	h, _ := seedHooks(t, seedYAML+"  schema_version: \"{{ authInfo.appId }}-{{ has(authInfo.modelVersion) ? authInfo.modelVersion : 'base' }}\"\n")
	if h.SchemaVersion == nil {
		t.Fatal("no SchemaVersion hook")
	}
	for js, want := range map[string]string{
		`{"appId": 1, "userId": 2}`:                      "1-base",
		`{"appId": 1, "userId": 2, "modelVersion": "7"}`: "1-7",
	} {
		got, err := h.SchemaVersion(claimsCtx(t, js))
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", js, got, err, want)
		}
	}
	if _, err := h.SchemaVersion(claimsCtx(t, `{"userId": 2}`)); pgerr.Code(err) != pgerr.InvalidAuthorization {
		t.Errorf("missing claim: %v, want 28000", err)
	}
	if h, _ := seedHooks(t, seedYAML); h.SchemaVersion != nil {
		t.Error("a SchemaVersion hook without tenancy.schema_version")
	}
}

func TestNewManagerFromConfigBounds(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", "s")
	cfg, err := config.Parse([]byte("tenancy:\n  max_apps: 7\n  app_idle_ttl: 1m\n  max_backend_connections: 3\n  schema_version: \"{{ authInfo.v }}\"\n  driver_factory:\n    postgres: {host: h}\n"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewManagerFromConfig(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.opts.MaxApps != 7 || m.opts.AppIdleTTL != time.Minute || cap(m.backend) != 3 || m.hooks.SchemaVersion == nil {
		t.Errorf("options %+v, backend slots %d", m.opts, cap(m.backend))
	}
}

// A sqlite database is a file: no host, a path relative to the config's
// folder, and no identifier length cap on the whole path (the claim's own
// part is still checked).
func TestSQLiteDriverConfig(t *testing.T) {
	h, dir := seedHooks(t, `
tenancy:
  context_to_app_id: "{{ authInfo.appId }}"
  driver_factory:
    sqlite:
      database: "tenants/with/a/rather/long/folder/name/to/pass/sixty-three/bytes/{{ authInfo.appId }}.db"
  repository_factory:
    path: "model/{{ authInfo.appId }}"
`)
	cfg, err := h.DriverFactory(claimsCtx(t, `{"appId": 1}`), "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "tenants/with/a/rather/long/folder/name/to/pass/sixty-three/bytes/1.db")
	if cfg.Database != want || cfg.Host != "" {
		t.Errorf("sqlite config = %+v, want database %s", cfg, want)
	}
	if _, err := h.DriverFactory(claimsCtx(t, `{"appId": "../x"}`), "sqlite"); err == nil {
		t.Error("a path-changing claim was accepted")
	}
}

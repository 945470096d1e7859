package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/examples/seed"
	"github.com/lattice-sql/lattice/tenancy"
)

const (
	testPrefix = "lattice_test_lambda_"
	testSecret = "lambda-test-secret"
)

var (
	pgTenant = seed.Tenant{AppID: 1, UserID: 2, DBType: "postgres"}
	myTenant = seed.Tenant{AppID: 3, UserID: 7, DBType: "mongobi"}
)

// TestMain seeds one tenant per backend, points LATTICE_CONFIG at a config
// for them, and drops the databases afterwards. A missing service fails.
func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, tn := range []seed.Tenant{pgTenant, myTenant} {
		if err := seed.Create(ctx, tn, testPrefix); err != nil {
			fmt.Fprintln(os.Stderr, "seeding (PostgreSQL on 5432 and MariaDB on 3306 must run):", err)
			os.Exit(1)
		}
	}
	dir, err := os.MkdirTemp("", "lattice-lambda-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	models, _ := filepath.Abs("../../examples/seed/model")
	cfg := fmt.Sprintf(`auth:
  jwt:
    secret: ${LAMBDA_TEST_SECRET}
tenancy:
  context_to_app_id: "APP_{{ authInfo.appId }}_{{ authInfo.userId }}"
  db_type: "{{ authInfo.appId == 3 ? 'mariadb' : 'postgres' }}"
  driver_factory:
    postgres:
      host: 127.0.0.1
      port: 5432
      user: postgres
      database: "%[1]s{{ authInfo.appId }}_{{ authInfo.userId }}"
    mariadb:
      host: 127.0.0.1
      port: 3306
      user: root
      database: "%[1]s{{ authInfo.appId }}_{{ authInfo.userId }}"
  repository_factory:
    path: "%[2]s/{{ authInfo.appId }}"
`, testPrefix, models)
	path := filepath.Join(dir, "lattice.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("LATTICE_CONFIG", path)
	os.Setenv("LAMBDA_TEST_SECRET", testSecret)
	code := m.Run()
	if current != nil {
		current.manager.Close()
	}
	for _, tn := range []seed.Tenant{pgTenant, myTenant} {
		_ = seed.Drop(ctx, tn, testPrefix)
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func token(t *testing.T, tn seed.Tenant) string {
	t.Helper()
	tok, err := tenancy.Sign([]byte(testSecret), "HS256", tn.Claims(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// fixture reads a recorded event and puts a token in it.
func fixture(t *testing.T, name, tok string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return json.RawMessage(strings.ReplaceAll(string(b), "{{TOKEN}}", tok))
}

// response is the fields common to the three response types.
type response struct {
	StatusCode      int
	Headers         map[string]string
	Body            string
	IsBase64Encoded bool
}

func invoke(t *testing.T, ev json.RawMessage) response {
	t.Helper()
	out, err := handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	switch r := out.(type) {
	case events.APIGatewayProxyResponse:
		return response{r.StatusCode, r.Headers, r.Body, r.IsBase64Encoded}
	case events.APIGatewayV2HTTPResponse:
		return response{r.StatusCode, r.Headers, r.Body, r.IsBase64Encoded}
	case events.LambdaFunctionURLResponse:
		return response{r.StatusCode, r.Headers, r.Body, r.IsBase64Encoded}
	}
	t.Fatalf("unexpected response type %T", out)
	return response{}
}

// wantCounts is count by status from the seed rows.
func wantCounts(tn seed.Tenant) []map[string]any {
	by := map[string]int{}
	for _, o := range tn.Orders() {
		by[o.Status]++
	}
	var out []map[string]any
	for s, n := range by {
		out = append(out, map[string]any{"orders.status": s, "orders.count": fmt.Sprint(n)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["orders.status"].(string) < out[j]["orders.status"].(string) })
	return out
}

func TestEvents(t *testing.T) {
	cases := []struct {
		fixture  string
		tenant   seed.Tenant
		wantType string
		multi    bool
	}{
		{"rest-api-get-load.json", pgTenant, "events.APIGatewayProxyResponse", true},
		{"http-api-post-load.json", pgTenant, "events.APIGatewayV2HTTPResponse", false},
		{"function-url-get-load.json", myTenant, "events.LambdaFunctionURLResponse", false},
		{"function-url-get-load.json", pgTenant, "events.LambdaFunctionURLResponse", false},
	}
	for _, tc := range cases {
		t.Run(tc.fixture+"/"+tc.tenant.DBType, func(t *testing.T) {
			ev := fixture(t, tc.fixture, token(t, tc.tenant))
			out, err := handle(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", out); got != tc.wantType {
				t.Errorf("response type %s, want %s", got, tc.wantType)
			}
			r := invoke(t, ev)
			if r.StatusCode != 200 || r.IsBase64Encoded || !strings.HasPrefix(r.Headers["Content-Type"], "application/json") {
				t.Fatalf("%d %v %s", r.StatusCode, r.Headers, r.Body)
			}
			var body struct {
				Data    []map[string]any
				Results []struct{ Data []map[string]any }
			}
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
				t.Fatal(err)
			}
			got := body.Data
			if tc.multi {
				if len(body.Results) != 1 {
					t.Fatalf("multi body: %s", r.Body)
				}
				got = body.Results[0].Data
			}
			if diff := cmp.Diff(wantCounts(tc.tenant), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestWarmState: invocations share one Manager, so an App is compiled
// once per tenant and survives between invocations.
func TestWarmState(t *testing.T) {
	ev := fixture(t, "function-url-get-load.json", token(t, pgTenant))
	invoke(t, ev)
	st, err := getState()
	if err != nil {
		t.Fatal(err)
	}
	before := st.manager.Stats().Apps
	for range 3 {
		if r := invoke(t, ev); r.StatusCode != 200 {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
	}
	st2, _ := getState()
	if st2 != st || st.manager.Stats().Apps != before || before < 1 {
		t.Errorf("warm invocations must reuse the state and its Apps: %d Apps before, %d after", before, st.manager.Stats().Apps)
	}
}

func TestEventErrors(t *testing.T) {
	// No token: the API's 403, through the adapter.
	r := invoke(t, fixture(t, "http-api-post-load.json", ""))
	if r.StatusCode != 403 || !strings.Contains(r.Body, `"error"`) {
		t.Errorf("missing token: %d %s", r.StatusCode, r.Body)
	}
	// A bad query: 400.
	ev := strings.Replace(string(fixture(t, "rest-api-get-load.json", token(t, pgTenant))), `orders.count`, `orders.nope`, -1)
	if r := invoke(t, json.RawMessage(ev)); r.StatusCode != 400 {
		t.Errorf("bad query: %d %s", r.StatusCode, r.Body)
	}
	// Health and metrics through a function URL.
	health := strings.Replace(string(fixture(t, "function-url-get-load.json", "")), `"rawPath": "/cubejs-api/v1/load"`, `"rawPath": "/metrics"`, 1)
	if r := invoke(t, json.RawMessage(health)); r.StatusCode != 200 || !strings.Contains(r.Body, "lattice_resident_apps") {
		t.Errorf("metrics: %d %s", r.StatusCode, r.Body)
	}
	// Not an HTTP event.
	if _, err := handle(context.Background(), json.RawMessage(`{"Records":[]}`)); err == nil {
		t.Error("an SQS-like event must be refused")
	}
}

func TestBase64Body(t *testing.T) {
	if s, b64 := encodeBody([]byte{0xff, 0x00}); !b64 || s != base64.StdEncoding.EncodeToString([]byte{0xff, 0x00}) {
		t.Errorf("binary body: %q %v", s, b64)
	}
	if s, b64 := encodeBody([]byte(`{"a":1}`)); b64 || s != `{"a":1}` {
		t.Errorf("text body: %q %v", s, b64)
	}
}

func TestEnvConfig(t *testing.T) {
	env := map[string]string{
		"CUBEJS_API_SECRET": "s3cret", "CUBEJS_DB_TYPE": "mysql", "CUBEJS_DB_HOST": "db.internal", "CUBEJS_DB_PORT": "3307",
		"CUBEJS_DB_USER": "reader", "CUBEJS_DB_PASS": "p${w}d", "CUBEJS_DB_NAME": "shop_{{ authInfo.tenant }}", "CUBEJS_SCHEMA_PATH": "models",
	}
	t.Setenv("CUBEJS_API_SECRET", "s3cret")
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "models"), 0o755); err != nil {
		t.Fatal(err)
	}
	env["LAMBDA_TASK_ROOT"] = dir
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Auth.JWT.Secret != "s3cret" {
		t.Errorf("secret %q", cfg.Auth.JWT.Secret)
	}
	if _, ok := cfg.Tenancy.DriverFactory["mysql"]; !ok || len(cfg.Tenancy.DriverFactory) != 1 {
		t.Errorf("driver_factory keys: %v", cfg.Tenancy.DriverFactory)
	}
	hooks, err := tenancy.HooksFromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &tenancy.Context{AuthInfo: map[string]any{"tenant": "acme"}}
	dbType, err := hooks.DBType(c)
	if err != nil || dbType != "mysql" {
		t.Fatalf("db type %q %v", dbType, err)
	}
	dc, err := hooks.DriverFactory(c, dbType)
	if err != nil {
		t.Fatal(err)
	}
	if dc.Host != "db.internal" || dc.Port != 3307 || dc.User != "reader" || dc.Password != "p${w}d" || dc.Database != "shop_acme" {
		t.Errorf("driver config %+v", dc)
	}
	if _, err := loadConfig(func(string) string { return "" }); err == nil {
		t.Error("no config and no CUBEJS_API_SECRET must be an error")
	}
}

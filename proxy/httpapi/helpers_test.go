package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lattice-sql/lattice/examples/seed"
	"github.com/lattice-sql/lattice/proxy/metrics"
	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/tenancy"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

const (
	testPrefix = "lattice_test_http_"
	testSecret = "http-test-secret"
)

// The tenants the integration tests serve: two on PostgreSQL with the same
// model (isolation), one on MariaDB.
var (
	pgTenant  = seed.Tenant{AppID: 1, UserID: 2, DBType: "postgres"}
	pgTenant2 = seed.Tenant{AppID: 1, UserID: 3, DBType: "postgres"}
	myTenant  = seed.Tenant{AppID: 3, UserID: 7, DBType: "mariadb"}
	tenants   = []seed.Tenant{pgTenant, pgTenant2, myTenant}
)

// fixedNow is the clock of relative date ranges in tests: the seed's
// orders run from 2024-01-01 for about two months.
var fixedNow = time.Date(2024, 2, 14, 15, 30, 0, 0, time.UTC)

func seedDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples", "seed")
}

// testHooks resolve the seed's claims in Go: one App per tenant, the
// tenant's own database, the app's model directory.
func testHooks() tenancy.Hooks {
	tenantOf := func(c *tenancy.Context) (seed.Tenant, error) {
		app, _ := c.AuthInfo["appId"].(int64)
		user, _ := c.AuthInfo["userId"].(int64)
		for _, t := range tenants {
			if int64(t.AppID) == app && int64(t.UserID) == user {
				return t, nil
			}
		}
		return seed.Tenant{}, fmt.Errorf("unknown tenant %v/%v", c.AuthInfo["appId"], c.AuthInfo["userId"])
	}
	return tenancy.Hooks{
		ContextToAppID: func(c *tenancy.Context) (string, error) {
			t, err := tenantOf(c)
			return fmt.Sprintf("APP_%d_%d", t.AppID, t.UserID), err
		},
		DBType: func(c *tenancy.Context) (string, error) {
			t, err := tenantOf(c)
			return t.DBType, err
		},
		DriverFactory: func(c *tenancy.Context, dbType string) (driver.Config, error) {
			t, err := tenantOf(c)
			if err != nil {
				return driver.Config{}, err
			}
			if dbType == "postgres" {
				return driver.Config{Type: dbType, Host: "127.0.0.1", Port: 5432, User: "postgres", Database: t.Database(testPrefix)}, nil
			}
			return driver.Config{Type: dbType, Host: "127.0.0.1", Port: 3306, User: "root", Database: t.Database(testPrefix)}, nil
		},
		RepositoryFactory: func(c *tenancy.Context) (schema.Repository, error) {
			t, err := tenantOf(c)
			if err != nil {
				return nil, err
			}
			return schema.DirRepository{Root: filepath.Join(seedDir(), "model", fmt.Sprint(t.AppID))}, nil
		},
	}
}

var (
	seedOnce sync.Once
	seedErr  error
)

// TestMain drops the databases that the integration tests create.
func TestMain(m *testing.M) {
	code := m.Run()
	if seedErr == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		for _, t := range tenants {
			_ = seed.Drop(ctx, seedTenant(t), testPrefix)
		}
		cancel()
	}
	os.Exit(code)
}

// seedTenant is t as the seed package knows it (mongobi and mariadb are
// both MariaDB there).
func seedTenant(t seed.Tenant) seed.Tenant {
	if t.DBType != "postgres" {
		t.DBType = "mongobi"
	}
	return t
}

// env is a running API over the seeded tenants.
type env struct {
	srv     *httptest.Server
	api     *Server
	manager *tenancy.Manager
	metrics *metrics.Metrics
}

// newEnv seeds the databases once and starts an API; a missing service
// fails the test.
func newEnv(t testing.TB) *env {
	t.Helper()
	seedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		for _, tn := range tenants {
			if err := seed.Create(ctx, seedTenant(tn), testPrefix); err != nil {
				seedErr = err
				return
			}
		}
	})
	if seedErr != nil {
		t.Fatalf("seeding the test databases (PostgreSQL on 5432 and MariaDB on 3306 must run): %v", seedErr)
	}
	v, err := tenancy.NewVerifier(tenancy.VerifierOptions{Secret: []byte(testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	mgr := tenancy.NewManager(testHooks(), tenancy.ManagerOptions{})
	met := metrics.New()
	api, err := New(Options{Authenticator: v, Resolver: mgr, Metrics: met, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(func() {
		srv.Close()
		mgr.Close()
	})
	return &env{srv: srv, api: api, manager: mgr, metrics: met}
}

func tokenFor(t testing.TB, tn seed.Tenant) string {
	t.Helper()
	tok, err := tenancy.Sign([]byte(testSecret), "HS256", tn.Claims(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// get calls path with the query as GET parameters and decodes the JSON
// body into out (if not nil); it returns the status and raw body.
func (e *env) get(t testing.TB, auth, path string, params url.Values, out any) (int, []byte) {
	t.Helper()
	u := e.srv.URL + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return do(t, req, out)
}

func (e *env) post(t testing.TB, auth, path, body string, out any) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return do(t, req, out)
}

func do(t testing.TB, req *http.Request, out any) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("decoding %s: %v", body, err)
		}
	}
	return resp.StatusCode, body
}

// load runs one query through GET /v1/load.
func (e *env) load(t testing.TB, tn seed.Tenant, query string) []map[string]any {
	t.Helper()
	var res struct {
		Data []map[string]any `json:"data"`
	}
	code, body := e.get(t, tokenFor(t, tn), "/cubejs-api/v1/load", url.Values{"query": {query}}, &res)
	if code != http.StatusOK {
		t.Fatalf("load %s: %d %s", query, code, body)
	}
	return res.Data
}

func mustContext(t testing.TB, tn seed.Tenant) *tenancy.Context {
	t.Helper()
	v, err := tenancy.NewVerifier(tenancy.VerifierOptions{Secret: []byte(testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Authenticate(context.Background(), tokenFor(t, tn), map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustQuery(t testing.TB, s string) *Query {
	t.Helper()
	r, err := parseQuery([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return r.Queries[0]
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }

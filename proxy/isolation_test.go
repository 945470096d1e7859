package proxy

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lattice-sql/lattice/examples/seed"
	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

// isoPrefix names the databases of the live tests in this package.
const isoPrefix = "lattice_test_iso_"

// liveEnv is an in-process proxy with the real Verifier, Manager and
// planner in front of seed tenants on the real PostgreSQL and MariaDB. The
// hooks are written in Go, as a Cube user's would be.
type liveEnv struct {
	srv     *Server
	mgr     *tenancy.Manager
	addr    string
	secret  []byte
	tenants map[string]seed.Tenant // by "app_user"

	mu    sync.Mutex
	ports map[string]int    // by "app_user": a port that overrides the server's
	extra map[string]string // model files added to every tenant's
}

// liveRepo is a tenant's model as it is now: the seed model, the slow
// cube and env.extra.
type liveRepo struct {
	env    *liveEnv
	base   schema.MemoryRepository
	dbType string
}

func (r liveRepo) now() schema.MemoryRepository {
	repo := schema.MemoryRepository{"slow.yml": slowCube(r.dbType)}
	maps.Copy(repo, r.base)
	r.env.mu.Lock()
	maps.Copy(repo, r.env.extra)
	r.env.mu.Unlock()
	return repo
}

func (r liveRepo) Files(ctx context.Context) ([]schema.File, error) { return r.now().Files(ctx) }
func (r liveRepo) Version(ctx context.Context) (string, error)      { return r.now().Version(ctx) }

func (env *liveEnv) setExtra(files map[string]string) {
	env.mu.Lock()
	env.extra = files
	env.mu.Unlock()
}

func tenantKey(app, user int) string { return fmt.Sprintf("%d_%d", app, user) }

// slowCube is a one-row cube whose measure sleeps on the backend.
func slowCube(dbType string) string {
	nap := `"(SELECT 1 FROM pg_sleep(5))"`
	if dbType != "postgres" {
		nap = `"SLEEP(5)"`
	}
	return `
cubes:
  - name: slow
    sql: SELECT 1 AS id
    measures:
      - name: nap
        type: max
        sql: ` + nap + `
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
`
}

func claimInt(c *tenancy.Context, name string) (int, error) {
	switch v := c.AuthInfo[name].(type) {
	case int64:
		return int(v), nil
	case float64:
		if v == float64(int(v)) {
			return int(v), nil
		}
	}
	return 0, pgerr.Fatal(pgerr.InvalidAuthorization, "claim %s must be an integer", name)
}

// startLive creates the tenants' databases and serves them. The seed
// model of app 1 (orders, users) is every tenant's, plus a slow cube.
func startLive(t testing.TB, tenants []seed.Tenant, opts Options, mopts tenancy.ManagerOptions) *liveEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	model := schema.MemoryRepository{}
	for _, f := range []string{"orders.yml", "users.yml"} {
		b, err := os.ReadFile(filepath.Join("..", "examples", "seed", "model", "1", f))
		if err != nil {
			t.Fatal(err)
		}
		model[f] = string(b)
	}
	env := &liveEnv{secret: []byte("lattice-iso-secret-0123456789abcdef0123456789"), tenants: map[string]seed.Tenant{}, ports: map[string]int{}}
	for _, tn := range tenants {
		env.tenants[tenantKey(tn.AppID, tn.UserID)] = tn
		if err := seed.Create(ctx, tn, isoPrefix); err != nil {
			t.Fatalf("seed %s: %v", tn.Database(isoPrefix), err)
		}
		t.Cleanup(func() {
			if err := seed.Drop(context.Background(), tn, isoPrefix); err != nil {
				t.Errorf("drop %s: %v", tn.Database(isoPrefix), err)
			}
		})
	}
	lookup := func(c *tenancy.Context) (seed.Tenant, error) {
		app, err := claimInt(c, "appId")
		if err != nil {
			return seed.Tenant{}, err
		}
		user, err := claimInt(c, "userId")
		if err != nil {
			return seed.Tenant{}, err
		}
		tn, ok := env.tenants[tenantKey(app, user)]
		if !ok {
			return seed.Tenant{}, pgerr.Fatal(pgerr.InvalidAuthorization, "no such tenant")
		}
		return tn, nil
	}
	hooks := tenancy.Hooks{
		ContextToAppID: func(c *tenancy.Context) (string, error) {
			tn, err := lookup(c)
			return fmt.Sprintf("ISO_APP_%d_%d", tn.AppID, tn.UserID), err
		},
		DBType: func(c *tenancy.Context) (string, error) {
			tn, err := lookup(c)
			return tn.DBType, err
		},
		DriverFactory: func(c *tenancy.Context, dbType string) (driver.Config, error) {
			tn, err := lookup(c)
			cfg := driver.Config{Type: dbType, Host: "127.0.0.1", Port: 5432, User: "postgres", Database: tn.Database(isoPrefix), MaxConns: 4}
			if dbType != "postgres" {
				cfg.Port, cfg.User = 3306, "root"
			}
			env.mu.Lock()
			if p, ok := env.ports[tenantKey(tn.AppID, tn.UserID)]; ok {
				cfg.Port = p
			}
			env.mu.Unlock()
			return cfg, err
		},
		RepositoryFactory: func(c *tenancy.Context) (schema.Repository, error) {
			tn, err := lookup(c)
			return liveRepo{env, model, tn.DBType}, err
		},
		// Cube's schemaVersion: the "sv" claim when the token has one.
		SchemaVersion: func(c *tenancy.Context) (string, error) {
			sv, _ := c.AuthInfo["sv"].(string)
			return sv, nil
		},
	}
	verifier, err := tenancy.NewVerifier(tenancy.VerifierOptions{Secret: env.secret})
	if err != nil {
		t.Fatal(err)
	}
	if mopts.Logger == nil && testing.Verbose() {
		mopts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	env.mgr = tenancy.NewManager(hooks, mopts)
	if opts.Logger == nil && testing.Verbose() {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	env.srv, err = New(opts, verifier, env.mgr)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env.addr = ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- env.srv.Serve(ln) }()
	t.Cleanup(func() {
		env.srv.Close()
		if err := <-done; err != ErrServerClosed {
			t.Errorf("Serve returned %v", err)
		}
		env.mgr.Close()
	})
	return env
}

// connect opens a client session as tn.
func (env *liveEnv) connect(ctx context.Context, tn seed.Tenant, extraClaims ...any) (*pgconn.PgConn, error) {
	claims := map[string]any{"appId": tn.AppID, "userId": tn.UserID}
	for i := 0; i+1 < len(extraClaims); i += 2 {
		claims[extraClaims[i].(string)] = extraClaims[i+1]
	}
	tok, err := tenancy.Sign(env.secret, "HS256", claims, time.Hour)
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(env.addr)
	return pgconn.Connect(ctx, fmt.Sprintf("host=%s port=%s user=bi database=shop password=%s sslmode=disable", host, port, tok))
}

func (env *liveEnv) mustConnect(t testing.TB, tn seed.Tenant, extraClaims ...any) *pgconn.PgConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := env.connect(ctx, tn, extraClaims...)
	if err != nil {
		t.Fatalf("connect as %s: %v", tn.Database(""), err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// cents parses a numeric's text form exactly.
func cents(s string) (int64, error) {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() {
		return 0, fmt.Errorf("%q has more than two decimals", s)
	}
	return r.Num().Int64(), nil
}

// expected is what a tenant's own data answers.
type expected struct {
	byStatus map[string][2]int64 // status → count, total cents
	statusOf map[string]string   // order id → status
	byUser   map[string]int64    // user name → order count
}

func expect(tn seed.Tenant) expected {
	e := expected{byStatus: map[string][2]int64{}, statusOf: map[string]string{}, byUser: map[string]int64{}}
	users := map[int]string{}
	for _, u := range tn.Users() {
		users[u.ID] = u.Name
	}
	for _, o := range tn.Orders() {
		c, err := cents(o.Amount)
		if err != nil {
			panic(err)
		}
		g := e.byStatus[o.Status]
		e.byStatus[o.Status] = [2]int64{g[0] + 1, g[1] + c}
		e.statusOf[strconv.Itoa(o.ID)] = o.Status
		e.byUser[users[o.UserID]]++
	}
	return e
}

// checkTenant runs one round of queries as tn and returns a description of
// every row that is not tn's own answer.
func checkTenant(ctx context.Context, c *pgconn.PgConn, tn seed.Tenant, want expected) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	run := func(q string, params ...string) [][][]byte {
		var args [][]byte
		for _, p := range params {
			args = append(args, []byte(p))
		}
		var rows [][][]byte
		var err error
		if params == nil {
			var rs []*pgconn.Result
			rs, err = c.Exec(ctx, q).ReadAll()
			if err == nil {
				rows = rs[0].Rows
			}
		} else {
			r := c.ExecParams(ctx, q, args, nil, nil, nil).Read()
			rows, err = r.Rows, r.Err
		}
		if err != nil {
			fail("%s: %v", q, err)
		}
		return rows
	}

	// Grouped: every status and its count and total are tn's.
	rows := run("SELECT status, MEASURE(count), MEASURE(total_amount) FROM orders GROUP BY 1")
	seen := map[string]bool{}
	for _, r := range rows {
		status := string(r[0])
		g, ok := want.byStatus[status]
		total, err := cents(string(r[2]))
		if !ok || string(r[1]) != strconv.FormatInt(g[0], 10) || err != nil || total != g[1] {
			fail("grouped row %q %q %q is not %s's", r[0], r[1], r[2], tn.Database(""))
		}
		seen[status] = true
	}
	if len(seen) != len(want.byStatus) || !seen[tn.UniqueStatus()] {
		fail("grouped statuses %v, want %d of them with %s", seen, len(want.byStatus), tn.UniqueStatus())
	}

	// Filtered by a bind parameter: only tn has its unique status.
	rows = run("SELECT MEASURE(count) FROM orders WHERE status = $1", tn.UniqueStatus())
	if n := want.byStatus[tn.UniqueStatus()][0]; len(rows) != 1 || string(rows[0][0]) != strconv.FormatInt(n, 10) {
		fail("count of %s = %q, want %d", tn.UniqueStatus(), rows, n)
	}

	// Joined: user names carry the tenant's ids.
	rows = run("SELECT users.name, MEASURE(orders.count) FROM orders CROSS JOIN users GROUP BY 1")
	if len(rows) != len(want.byUser) {
		fail("joined: %d rows, want %d", len(rows), len(want.byUser))
	}
	for _, r := range rows {
		if n, ok := want.byUser[string(r[0])]; !ok || string(r[1]) != strconv.FormatInt(n, 10) {
			fail("joined row %q %q is not %s's", r[0], r[1], tn.Database(""))
		}
	}

	// Ungrouped: every order is tn's, with its status.
	rows = run("SELECT id, status FROM orders")
	if len(rows) != len(want.statusOf) {
		fail("ungrouped: %d rows, want %d", len(rows), len(want.statusOf))
	}
	for _, r := range rows {
		if s, ok := want.statusOf[string(r[0])]; !ok || s != string(r[1]) {
			fail("order %q %q is not %s's", r[0], r[1], tn.Database(""))
		}
	}
	return bad
}

// isoTenants are five tenants on two backends with the same model and
// different data.
var isoTenants = []seed.Tenant{
	{AppID: 1, UserID: 2, DBType: "postgres"},
	{AppID: 1, UserID: 3, DBType: "postgres"},
	{AppID: 1, UserID: 5, DBType: "postgres"}, // not 4: every order of user 4 is "completed"
	{AppID: 3, UserID: 7, DBType: "mariadb"},
	{AppID: 3, UserID: 8, DBType: "mongobi"},
}

// TestIsolationUnderLoad runs 40 concurrent sessions of five tenants on
// PostgreSQL and MariaDB and checks every row against the session's own
// tenant: not one row of another tenant may appear.
func TestIsolationUnderLoad(t *testing.T) {
	env := startLive(t, isoTenants, Options{}, tenancy.ManagerOptions{})
	const (
		clients = 40
		rounds  = 30
	)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var (
		wg      sync.WaitGroup
		queries atomic.Int64
		mu      sync.Mutex
		bad     []string
	)
	start := time.Now()
	for i := range clients {
		tn := isoTenants[i%len(isoTenants)]
		want := expect(tn)
		wg.Go(func() {
			report := func(s ...string) {
				mu.Lock()
				bad = append(bad, s...)
				mu.Unlock()
			}
			c, err := env.connect(ctx, tn)
			if err != nil {
				report(fmt.Sprintf("client %d (%s): connect: %v", i, tn.Database(""), err))
				return
			}
			defer c.Close(context.Background())
			for range rounds {
				if b := checkTenant(ctx, c, tn, want); len(b) > 0 {
					report(b...)
					return
				}
				queries.Add(4)
			}
		})
	}
	wg.Wait()
	t.Logf("%d queries from %d clients in %v", queries.Load(), clients, time.Since(start))
	for i, b := range bad {
		if i == 20 {
			t.Errorf("... and %d more", len(bad)-20)
			break
		}
		t.Error(b)
	}
	if s := env.mgr.Stats(); s.Apps != len(isoTenants) || s.Pools != len(isoTenants) {
		t.Errorf("manager holds %+v, want one App and one pool per tenant (%d)", s, len(isoTenants))
	}
}

// adminQuery runs a one-value query as the server's superuser.
func adminQuery(t testing.TB, dbType, q string, args ...any) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var v string
	if dbType == "postgres" {
		c, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres database=postgres sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(context.Background())
		if err := c.QueryRow(ctx, q, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v
	}
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User = "tcp", seed.MariaDBAddr, "root"
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	if err := db.QueryRowContext(ctx, q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// napCube sleeps for a second and answers 1.
func napCube(name, dbType string) string {
	nap := `"(SELECT 1 FROM pg_sleep(1))"`
	if dbType != "postgres" {
		nap = `"1 + SLEEP(1)"`
	}
	return "cubes:\n  - name: " + name + "\n    sql: SELECT 1 AS id\n    measures:\n      - name: nap\n        type: max\n        sql: " + nap +
		"\n    dimensions:\n      - name: id\n        sql: id\n        type: number\n        primary_key: true\n"
}

// TestSchemaVersionChangeMidQuery changes the model and the schema_version
// while a statement runs: the statement finishes on the model it started
// with, its session keeps that model, and new sessions of the new version
// see the new one.
func TestSchemaVersionChangeMidQuery(t *testing.T) {
	for _, tn := range []seed.Tenant{{AppID: 1, UserID: 41, DBType: "postgres"}, {AppID: 3, UserID: 42, DBType: "mariadb"}} {
		t.Run(tn.DBType, func(t *testing.T) {
			env := startLive(t, []seed.Tenant{tn}, Options{}, tenancy.ManagerOptions{ReloadInterval: -1})
			env.setExtra(map[string]string{"v1.yml": napCube("v1_cube", tn.DBType)})
			old := env.mustConnect(t, tn, "sv", "1")
			ctx := ctx5s(t)
			done := make(chan error, 1)
			var answer string
			go func() {
				rs, err := old.Exec(ctx, "SELECT MEASURE(nap) FROM v1_cube").ReadAll()
				if err == nil {
					answer = string(rs[0].Rows[0][0])
				}
				done <- err
			}()
			time.Sleep(300 * time.Millisecond)
			env.setExtra(map[string]string{"v2.yml": napCube("v2_cube", tn.DBType)})
			fresh := env.mustConnect(t, tn, "sv", "2")
			if _, err := fresh.Exec(ctx, "SELECT MEASURE(nap) FROM v2_cube").ReadAll(); err != nil {
				t.Errorf("new session on schema_version 2: %v", err)
			}
			if _, err := fresh.Exec(ctx, "SELECT MEASURE(nap) FROM v1_cube").ReadAll(); pgErrCode(err) != "42P01" {
				t.Errorf("new session still sees the old model: %v", err)
			}
			if err := <-done; err != nil || answer != "1" {
				t.Fatalf("statement running across the change: %q, %v", answer, err)
			}
			if _, err := old.Exec(ctx, "SELECT MEASURE(count) FROM orders").ReadAll(); err != nil {
				t.Errorf("old session after the change: %v", err)
			}
			if _, err := old.Exec(ctx, "SELECT MEASURE(nap) FROM v2_cube").ReadAll(); pgErrCode(err) != "42P01" {
				t.Errorf("old session switched models mid-session: %v", err)
			}
		})
	}
}

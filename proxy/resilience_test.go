package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lattice-sql/lattice/examples/seed"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy"
)

// napping counts the tenant's statements that are running on its backend
// server. The probe runs in another database, so it never counts itself.
func napping(t testing.TB, tn seed.Tenant) string {
	t.Helper()
	db := tn.Database(isoPrefix)
	if tn.DBType == "postgres" {
		return adminQuery(t, "postgres", "SELECT count(*)::text FROM pg_stat_activity WHERE datname = $1 AND state = 'active'", db)
	}
	return adminQuery(t, tn.DBType, "SELECT count(*) FROM information_schema.processlist WHERE db = ? AND command = 'Query'", db)
}

// waitFree polls until no statement of tn runs on its backend, for at most
// a second.
func waitFree(t testing.TB, tn seed.Tenant) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); ; time.Sleep(25 * time.Millisecond) {
		n := napping(t, tn)
		if n == "0" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s statements still run on the backend", tn.Database(""), n)
		}
	}
}

func pgErrCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return fmt.Sprintf("not a PgError: %v", err)
}

var slowTenants = []seed.Tenant{
	{AppID: 1, UserID: 11, DBType: "postgres"},
	{AppID: 3, UserID: 12, DBType: "mariadb"},
}

// TestSlowCubeCancelAndTimeout stops a statement on a cube that sleeps 5s
// on the backend, by a client CancelRequest and by the statement timeout,
// on both backends: the client gets 57014 quickly, the backend statement
// is gone, and the session keeps working.
func TestSlowCubeCancelAndTimeout(t *testing.T) {
	const timeout = 1500 * time.Millisecond
	env := startLive(t, slowTenants, Options{StatementTimeout: timeout}, tenancy.ManagerOptions{})
	for _, tn := range slowTenants {
		t.Run(tn.DBType, func(t *testing.T) {
			c := env.mustConnect(t, tn)
			ctx := ctx5s(t)
			for _, tc := range []struct {
				name, msg string
				cancel    bool
				within    time.Duration
			}{
				{"cancel", "canceling statement due to user request", true, 1500 * time.Millisecond},
				{"timeout", "canceling statement due to statement timeout", false, timeout + 2*time.Second},
			} {
				t.Run(tc.name, func(t *testing.T) {
					start := time.Now()
					result := make(chan error, 1)
					go func() {
						_, err := c.Exec(ctx, "SELECT MEASURE(nap) FROM slow").ReadAll()
						result <- err
					}()
					if tc.cancel {
						time.Sleep(400 * time.Millisecond)
						if n := napping(t, tn); n != "1" {
							t.Errorf("%s statements running before the cancel, want 1", n)
						}
						start = time.Now() // measured from the cancel
						if err := c.CancelRequest(ctx); err != nil {
							t.Errorf("CancelRequest: %v", err)
						}
					}
					err := <-result
					took := time.Since(start)
					var pe *pgconn.PgError
					if !errors.As(err, &pe) || pe.Code != pgerr.QueryCanceled || pe.Message != tc.msg {
						t.Fatalf("got %v, want 57014 %q", err, tc.msg)
					}
					if !tc.cancel && took < timeout-50*time.Millisecond {
						t.Errorf("timed out after %v, before the %v timeout", took, timeout)
					}
					if took > tc.within {
						t.Errorf("answered after %v, want within %v", took, tc.within)
					}
					waitFree(t, tn)
					rs, err := c.Exec(ctx, "SELECT MEASURE(count) FROM orders").ReadAll()
					if err != nil {
						t.Fatalf("session unusable after %s: %v", tc.name, err)
					}
					if got, want := string(rs[0].Rows[0][0]), fmt.Sprint(len(tn.Orders())); got != want {
						t.Errorf("count after %s = %s, want %s", tc.name, got, want)
					}
				})
			}
		})
	}
}

// latencies runs the tenant's count query n times and returns the sorted
// durations; any error fails the test.
func latencies(t *testing.T, c *pgconn.PgConn, n int) []time.Duration {
	t.Helper()
	ctx := ctx5s(t)
	var ds []time.Duration
	for range n {
		start := time.Now()
		if _, err := c.Exec(ctx, "SELECT status, MEASURE(count) FROM orders GROUP BY 1").ReadAll(); err != nil {
			t.Errorf("healthy tenant: %v", err)
			return nil
		}
		ds = append(ds, time.Since(start))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds
}

// TestBackendDownAffectsOnlyItsTenant points one tenant at a closed port:
// its statements fail with 08006 at once, while the other tenants keep
// their latency.
func TestBackendDownAffectsOnlyItsTenant(t *testing.T) {
	tenants := []seed.Tenant{
		{AppID: 1, UserID: 21, DBType: "postgres"},
		{AppID: 3, UserID: 22, DBType: "mariadb"},
		{AppID: 1, UserID: 23, DBType: "postgres"}, // the one whose backend is down
	}
	env := startLive(t, tenants, Options{}, tenancy.ManagerOptions{})
	down := tenants[2]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env.mu.Lock()
	env.ports[tenantKey(down.AppID, down.UserID)] = ln.Addr().(*net.TCPAddr).Port
	env.mu.Unlock()
	ln.Close()

	healthy := []*pgconn.PgConn{env.mustConnect(t, tenants[0]), env.mustConnect(t, tenants[1])}
	var before []time.Duration
	for _, c := range healthy {
		latencies(t, c, 3) // warm the pools
		before = append(before, latencies(t, c, 20)[10])
	}

	// Eight sessions of the down tenant keep failing while the others run.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var codes []string
	var slowest time.Duration
	for range 8 {
		wg.Go(func() {
			c := env.mustConnect(t, down)
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				_, err := c.Exec(context.Background(), "SELECT MEASURE(count) FROM orders").ReadAll()
				took := time.Since(start)
				mu.Lock()
				codes = append(codes, pgErrCode(err))
				slowest = max(slowest, took)
				mu.Unlock()
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	for i, c := range healthy {
		during := latencies(t, c, 20)
		if len(during) == 0 {
			continue
		}
		// The median may grow with the failing load on 2 cores, but not
		// by a backend timeout.
		if med := during[10]; med > 10*before[i]+50*time.Millisecond {
			t.Errorf("%s: median latency %v while a backend is down, %v before", tenants[i].Database(""), med, before[i])
		}
	}
	close(stop)
	wg.Wait()
	if len(codes) < 8 {
		t.Fatalf("only %d statements of the down tenant ran", len(codes))
	}
	for _, code := range codes {
		if code != pgerr.ConnectionFailure {
			t.Fatalf("down tenant got %s, want 08006", code)
		}
	}
	if slowest > time.Second {
		t.Errorf("down tenant waited %v for its error", slowest)
	}
	t.Logf("down tenant: %d errors, slowest %v; healthy medians before %v", len(codes), slowest, before)
}

// TestDroppedDatabaseRecovers drops a PostgreSQL tenant's database under
// its open session: that tenant gets an error with a real SQLSTATE, the
// others are served, and once the database is back the same session works
// again on a recovered pool.
func TestDroppedDatabaseRecovers(t *testing.T) {
	tenants := []seed.Tenant{
		{AppID: 1, UserID: 31, DBType: "postgres"},
		{AppID: 1, UserID: 32, DBType: "postgres"},
		{AppID: 3, UserID: 33, DBType: "mariadb"},
	}
	env := startLive(t, tenants, Options{}, tenancy.ManagerOptions{})
	victim := tenants[0]
	conns := make([]*pgconn.PgConn, len(tenants))
	count := func(i int) error {
		rs, err := conns[i].Exec(ctx5s(t), "SELECT MEASURE(count) FROM orders").ReadAll()
		if err != nil {
			return err
		}
		if got, want := string(rs[0].Rows[0][0]), fmt.Sprint(len(tenants[i].Orders())); got != want {
			return fmt.Errorf("%s: count %s, want %s", tenants[i].Database(""), got, want)
		}
		return nil
	}
	for i, tn := range tenants {
		conns[i] = env.mustConnect(t, tn)
		if err := count(i); err != nil {
			t.Fatal(err)
		}
	}

	ctx := ctx5s(t)
	if err := seed.Drop(ctx, victim, isoPrefix); err != nil {
		t.Fatal(err)
	}
	for attempt := range 3 {
		err := count(0)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Fatalf("attempt %d on a dropped database: %v, want an ErrorResponse", attempt, err)
		}
		if pe.Code == pgerr.InternalError || pe.Severity != "ERROR" {
			t.Errorf("attempt %d on a dropped database: %s %s %s, want a specific ERROR", attempt, pe.Severity, pe.Code, pe.Message)
		}
		t.Logf("dropped database, attempt %d: %s %s", attempt, pe.Code, pe.Message)
		for i := 1; i < len(tenants); i++ {
			if err := count(i); err != nil {
				t.Errorf("other tenant while %s is gone: %v", victim.Database(""), err)
			}
		}
	}

	if err := seed.Create(ctx, victim, isoPrefix); err != nil {
		t.Fatal(err)
	}
	// The first statement may still meet a connection the drop killed;
	// the pool must recover within a few.
	var err error
	for range 3 {
		if err = count(0); err == nil {
			break
		}
		t.Logf("after re-creating: %v", err)
	}
	if err != nil {
		t.Fatalf("tenant did not recover: %v", err)
	}
	for range 5 {
		if err := count(0); err != nil {
			t.Fatalf("recovered tenant failed again: %v", err)
		}
	}
}

// TestGlobalBackendCap runs with tenancy's MaxBackendConnections at 1: while
// one tenant's slow statement holds the only backend slot, another
// tenant's statement waits for it until its statement timeout and gets
// 53300; once the slot is free, it runs.
func TestGlobalBackendCap(t *testing.T) {
	tenants := []seed.Tenant{{AppID: 1, UserID: 51, DBType: "postgres"}, {AppID: 3, UserID: 52, DBType: "mariadb"}}
	env := startLive(t, tenants, Options{}, tenancy.ManagerOptions{MaxBackendConnections: 1})
	slow, other := env.mustConnect(t, tenants[0]), env.mustConnect(t, tenants[1])
	ctx := ctx5s(t)
	if _, err := other.Exec(ctx, "SET statement_timeout = 300").ReadAll(); err != nil {
		t.Fatal(err)
	}
	result := make(chan error, 1)
	go func() {
		_, err := slow.Exec(ctx, "SELECT MEASURE(nap) FROM slow").ReadAll()
		result <- err
	}()
	for deadline := time.Now().Add(2 * time.Second); env.mgr.Stats().BackendsInUse != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the slow statement never took the slot: %+v", env.mgr.Stats())
		}
	}
	start := time.Now()
	_, err := other.Exec(ctx, "SELECT MEASURE(count) FROM orders").ReadAll()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != pgerr.TooManyConnections || !strings.Contains(pe.Message, "max_backend_connections") {
		t.Errorf("waiting statement: %v, want 53300", err)
	}
	if took := time.Since(start); took < 250*time.Millisecond || took > 2*time.Second {
		t.Errorf("waited %v, want about the 300ms statement timeout", took)
	}
	if err := slow.CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-result; pgErrCode(err) != pgerr.QueryCanceled {
		t.Errorf("slow statement: %v, want 57014", err)
	}
	rs, err := other.Exec(ctx, "SELECT MEASURE(count) FROM orders").ReadAll()
	if err != nil || string(rs[0].Rows[0][0]) != fmt.Sprint(len(tenants[1].Orders())) {
		t.Errorf("after the slot was freed: %v", err)
	}
	if s := env.mgr.Stats(); s.BackendsInUse != 0 {
		t.Errorf("slots leaked: %+v", s)
	}
}

// TestHungBackendAffectsOnlyItsTenant points one tenant at a server that
// accepts connections and never answers: its statements end at the
// statement timeout, while the other tenants keep their latency.
func TestHungBackendAffectsOnlyItsTenant(t *testing.T) {
	tenants := []seed.Tenant{
		{AppID: 1, UserID: 61, DBType: "postgres"},
		{AppID: 3, UserID: 62, DBType: "mariadb"},
		{AppID: 1, UserID: 63, DBType: "postgres"}, // the hung one
		{AppID: 3, UserID: 64, DBType: "mariadb"},  // hung too, over the MySQL protocol
	}
	const timeout = 700 * time.Millisecond
	env := startLive(t, tenants, Options{StatementTimeout: timeout}, tenancy.ManagerOptions{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held sync.Mutex
	var accepted []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held.Lock()
			accepted = append(accepted, c)
			held.Unlock()
		}
	}()
	// Runs before the server and pools close: hung connects end at once.
	t.Cleanup(func() {
		ln.Close()
		held.Lock()
		for _, c := range accepted {
			c.Close()
		}
		held.Unlock()
	})
	env.mu.Lock()
	for _, tn := range tenants[2:] {
		env.ports[tenantKey(tn.AppID, tn.UserID)] = ln.Addr().(*net.TCPAddr).Port
	}
	env.mu.Unlock()

	healthy := []*pgconn.PgConn{env.mustConnect(t, tenants[0]), env.mustConnect(t, tenants[1])}
	var before []time.Duration
	for _, c := range healthy {
		latencies(t, c, 3)
		before = append(before, latencies(t, c, 20)[10])
	}
	type outcome struct {
		code string
		took time.Duration
	}
	outcomes := make(chan outcome, 16)
	var wg sync.WaitGroup
	for i := range 6 {
		tn := tenants[2+i%2]
		c := env.mustConnect(t, tn)
		wg.Go(func() {
			for range 2 {
				start := time.Now()
				_, err := c.Exec(context.Background(), "SELECT MEASURE(count) FROM orders").ReadAll()
				outcomes <- outcome{pgErrCode(err), time.Since(start)}
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	for i, c := range healthy {
		during := latencies(t, c, 20)
		if len(during) == 0 {
			continue
		}
		if med := during[10]; med > 10*before[i]+50*time.Millisecond {
			t.Errorf("%s: median latency %v while a backend hangs, %v before", tenants[i].Database(""), med, before[i])
		}
	}
	wg.Wait()
	close(outcomes)
	n := 0
	for o := range outcomes {
		n++
		if o.code != pgerr.QueryCanceled && o.code != pgerr.ConnectionFailure {
			t.Errorf("hung tenant got %s, want 57014 or 08006", o.code)
		}
		if o.took > timeout+time.Second {
			t.Errorf("hung tenant waited %v for its error", o.took)
		}
	}
	if n != 12 {
		t.Errorf("%d outcomes, want 12", n)
	}
}

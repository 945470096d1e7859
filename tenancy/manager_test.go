package tenancy

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

// fakeDriver records its config and whether it was closed.
type fakeDriver struct {
	cfg    driver.Config
	closed atomic.Bool
}

func (d *fakeDriver) Query(context.Context, string, []any, func([][]byte) error) error { return nil }
func (d *fakeDriver) Ping(context.Context) error                                       { return nil }
func (d *fakeDriver) Close()                                                           { d.closed.Store(true) }

// fakeEnv is a Manager over hand-written Go hooks: claims "app" and "db"
// pick the App and the database, "pw" the password.
type fakeEnv struct {
	mu      sync.Mutex
	drivers []*fakeDriver
	loads   atomic.Int32
	loadErr error
	version atomic.Value // string, the repository's version
}

func (f *fakeEnv) hooks() Hooks {
	return Hooks{
		ContextToAppID: func(c *Context) (string, error) {
			id, ok := c.AuthInfo["app"].(string)
			if !ok {
				return "", errors.New("no app claim")
			}
			return id, nil
		},
		DBType: func(*Context) (string, error) { return "postgres", nil },
		DriverFactory: func(c *Context, typ string) (driver.Config, error) {
			pw, _ := c.AuthInfo["pw"].(string)
			db, _ := c.AuthInfo["db"].(string)
			return driver.Config{Host: "h", Port: 5432, User: "u", Password: pw, Database: db}, nil
		},
		RepositoryFactory: func(*Context) (schema.Repository, error) { return versioned{f}, nil },
	}
}

type versioned struct{ f *fakeEnv }

func (v versioned) Files(context.Context) ([]schema.File, error) { return nil, nil }
func (v versioned) Version(context.Context) (string, error) {
	s, _ := v.f.version.Load().(string)
	return s, nil
}

func (f *fakeEnv) manager(opts ManagerOptions) *Manager {
	opts.OpenDriver = func(cfg driver.Config) (driver.Driver, error) {
		d := &fakeDriver{cfg: cfg}
		f.mu.Lock()
		f.drivers = append(f.drivers, d)
		f.mu.Unlock()
		return d, nil
	}
	opts.LoadModel = func(ctx context.Context, _ schema.Repository) (*schema.Model, error) {
		f.loads.Add(1)
		time.Sleep(20 * time.Millisecond) // long enough for callers to pile up
		if f.loadErr != nil {
			return nil, f.loadErr
		}
		return &schema.Model{}, nil
	}
	return NewManager(f.hooks(), opts)
}

func resolve(t *testing.T, m *Manager, claims map[string]any) *Tenant {
	t.Helper()
	tn, err := m.Resolve(context.Background(), &Context{AuthInfo: claims})
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

func TestSameAppDifferentConfigsNeverSharePools(t *testing.T) {
	f := &fakeEnv{}
	m := f.manager(ManagerOptions{})
	defer m.Close()
	a := resolve(t, m, map[string]any{"app": "A", "db": "x"})
	b := resolve(t, m, map[string]any{"app": "A", "db": "y"})
	c := resolve(t, m, map[string]any{"app": "A", "db": "x", "pw": "other"})
	a2 := resolve(t, m, map[string]any{"app": "A", "db": "x"})
	if a.App != b.App || a.App != c.App {
		t.Error("one AppID gave several Apps")
	}
	if a.Driver == b.Driver || a.Driver == c.Driver || b.Driver == c.Driver {
		t.Error("different driver configs share a pool")
	}
	if a.Driver != a2.Driver {
		t.Error("identical driver configs got different pools")
	}
	if got := a.Driver.(*fakeDriver).cfg; got.Type != "postgres" || got.Database != "x" {
		t.Errorf("pool config %+v", got)
	}
	other := resolve(t, m, map[string]any{"app": "B", "db": "x"})
	if other.Driver == a.Driver {
		t.Error("two Apps share a pool")
	}
	if s := m.Stats(); s.Apps != 2 || s.Pools != 4 {
		t.Errorf("stats %+v", s)
	}
}

func TestColdAppCompilesOnce(t *testing.T) {
	f := &fakeEnv{}
	m := f.manager(ManagerOptions{})
	defer m.Close()
	var wg sync.WaitGroup
	apps := make([]*App, 20)
	drivers := make([]driver.Driver, 20)
	errs := make([]error, 20)
	for i := range apps {
		wg.Go(func() {
			tn, err := m.Resolve(context.Background(), &Context{AuthInfo: map[string]any{"app": "cold", "db": "x"}})
			errs[i] = err
			if err == nil {
				apps[i], drivers[i] = tn.App, tn.Driver
			}
		})
	}
	wg.Wait()
	for i := range apps {
		if errs[i] != nil || apps[i] != apps[0] || drivers[i] != drivers[0] {
			t.Fatalf("resolution %d: %v (app %p, first %p)", i, errs[i], apps[i], apps[0])
		}
	}
	if n := f.loads.Load(); n != 1 {
		t.Errorf("compiled %d times, want 1", n)
	}
	if m.Stats().Pools != 1 {
		t.Errorf("%d pools kept", m.Stats().Pools)
	}
	// Pools opened by connections that lost the race were closed.
	for _, d := range f.drivers {
		if d != drivers[0] && !d.closed.Load() {
			t.Error("a duplicate pool was left open")
		}
	}
}

func TestEvictionClosesPools(t *testing.T) {
	f := &fakeEnv{}
	m := f.manager(ManagerOptions{MaxApps: 1})
	defer m.Close()
	a := resolve(t, m, map[string]any{"app": "A", "db": "x"})
	a.Release()
	a.Release() // idempotent
	b := resolve(t, m, map[string]any{"app": "B", "db": "x"})
	if !a.Driver.(*fakeDriver).closed.Load() {
		t.Error("evicted App's pool is open")
	}
	if b.Driver.(*fakeDriver).closed.Load() {
		t.Error("resident App's pool was closed")
	}
	// A held App is never evicted under its connections.
	c := resolve(t, m, map[string]any{"app": "C", "db": "x"})
	if b.Driver.(*fakeDriver).closed.Load() || c.Driver.(*fakeDriver).closed.Load() {
		t.Error("a held App was evicted")
	}
	if s := m.Stats(); s.Apps != 2 {
		t.Errorf("stats %+v, want 2 held apps over the bound", s)
	}
	b.Release()
	if !b.Driver.(*fakeDriver).closed.Load() || m.Stats().Apps != 1 {
		t.Error("released App over the bound was not evicted")
	}
	// Resolving the evicted App again compiles it anew.
	resolve(t, m, map[string]any{"app": "A", "db": "x"})
	if n := f.loads.Load(); n != 4 {
		t.Errorf("%d loads, want 4", n)
	}
}

func TestIdleAppsAndPoolsAreClosed(t *testing.T) {
	f := &fakeEnv{}
	m := f.manager(ManagerOptions{AppIdleTTL: 30 * time.Millisecond})
	defer m.Close()
	a := resolve(t, m, map[string]any{"app": "A", "db": "x"})
	held := resolve(t, m, map[string]any{"app": "B", "db": "x"})
	idlePool := resolve(t, m, map[string]any{"app": "B", "db": "y"})
	a.Release()
	idlePool.Release()
	deadline := time.Now().Add(2 * time.Second)
	for !a.Driver.(*fakeDriver).closed.Load() || !idlePool.Driver.(*fakeDriver).closed.Load() {
		if time.Now().After(deadline) {
			t.Fatal("idle App or pool not closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if held.Driver.(*fakeDriver).closed.Load() {
		t.Error("a held pool was closed")
	}
	if s := m.Stats(); s.Apps != 1 || s.Pools != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestCloseClosesEverything(t *testing.T) {
	f := &fakeEnv{}
	m := f.manager(ManagerOptions{AppIdleTTL: time.Hour})
	tns := []*Tenant{
		resolve(t, m, map[string]any{"app": "A", "db": "x"}),
		resolve(t, m, map[string]any{"app": "B", "db": "y"}),
	}
	m.Close()
	for _, tn := range tns {
		if !tn.Driver.(*fakeDriver).closed.Load() {
			t.Error("pool open after Close")
		}
		tn.Release()
	}
	_, err := m.Resolve(context.Background(), &Context{AuthInfo: map[string]any{"app": "A"}})
	if pgerr.Code(err) != pgerr.AdminShutdown {
		t.Errorf("after Close: %v", err)
	}
	m.Close()
}

func TestResolveErrors(t *testing.T) {
	f := &fakeEnv{}
	m := f.manager(ManagerOptions{})
	defer m.Close()
	_, err := m.Resolve(context.Background(), &Context{AuthInfo: map[string]any{}})
	wantRefused(t, err, "context_to_app_id: no app claim")

	h := f.hooks()
	h.DBType = func(*Context) (string, error) { panic("boom") }
	_, err = NewManager(h, ManagerOptions{}).Resolve(context.Background(), &Context{AuthInfo: map[string]any{"app": "A"}})
	wantRefused(t, err, "db_type hook failed")

	h = f.hooks()
	h.DriverFactory = func(*Context, string) (driver.Config, error) { return driver.Config{Type: "mysql"}, nil }
	_, err = NewManager(h, ManagerOptions{}).Resolve(context.Background(), &Context{AuthInfo: map[string]any{"app": "A"}})
	wantRefused(t, err, "mysql config for db_type postgres")

	h = f.hooks()
	h.RepositoryFactory = nil
	_, err = NewManager(h, ManagerOptions{}).Resolve(context.Background(), &Context{AuthInfo: map[string]any{"app": "A"}})
	wantRefused(t, err, "no repository_factory hook")
}

func TestModelErrorsPassThroughAndAreNotCached(t *testing.T) {
	f := &fakeEnv{}
	modelErr := pgerr.New(pgerr.InvalidObjectDefinition, "orders.yml:3: cube has no name")
	f.loadErr = modelErr
	m := f.manager(ManagerOptions{})
	defer m.Close()
	claims := map[string]any{"app": "A", "db": "x"}
	_, err := m.Resolve(context.Background(), &Context{AuthInfo: claims})
	if err != modelErr {
		t.Errorf("got %v, want the model's own error", err)
	}
	f.loadErr = fmt.Errorf("disk on fire")
	_, err = m.Resolve(context.Background(), &Context{AuthInfo: claims})
	if pgerr.Code(err) != pgerr.InvalidObjectDefinition {
		t.Errorf("got %v, want 42P17", err)
	}
	f.loadErr = nil
	resolve(t, m, claims)
	if n := f.loads.Load(); n != 3 {
		t.Errorf("%d loads, want 3: failures are retried", n)
	}
}

func TestModelReloadsWhenRepositoryChanges(t *testing.T) {
	f := &fakeEnv{}
	f.version.Store("v1")
	m := f.manager(ManagerOptions{ReloadInterval: 20 * time.Millisecond})
	defer m.Close()
	claims := map[string]any{"app": "A", "db": "x"}
	first := resolve(t, m, claims)
	if again := resolve(t, m, claims); again.App != first.App {
		t.Error("reloaded without a change")
	}
	f.version.Store("v2")
	if soon := resolve(t, m, claims); soon.App != first.App {
		t.Error("checked the repository before the interval")
	}
	time.Sleep(30 * time.Millisecond)
	next := resolve(t, m, claims)
	if next.App == first.App || next.App.ID != "A" {
		t.Error("model not reloaded after the repository changed")
	}
	if next.Driver != first.Driver {
		t.Error("a reload replaced the pool")
	}
	if first.App.Model == nil || f.loads.Load() != 2 {
		t.Errorf("loads %d", f.loads.Load())
	}
}

func TestResolveCancelledWhileLoading(t *testing.T) {
	f := &fakeEnv{}
	m := f.manager(ManagerOptions{})
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.Resolve(ctx, &Context{AuthInfo: map[string]any{"app": "A"}})
	if pgerr.Code(err) != pgerr.QueryCanceled {
		t.Errorf("got %v", err)
	}
}

func BenchmarkResolveWarm(b *testing.B) {
	f := &fakeEnv{}
	m := f.manager(ManagerOptions{})
	defer m.Close()
	c := &Context{AuthInfo: map[string]any{"app": "A", "db": "x"}}
	b.ReportAllocs()
	for b.Loop() {
		tn, err := m.Resolve(context.Background(), c)
		if err != nil {
			b.Fatal(err)
		}
		tn.Release()
	}
}

func TestSchemaVersionRecompiles(t *testing.T) {
	f := &fakeEnv{}
	f.version.Store("repo-v1")
	hooks := f.hooks()
	hooks.SchemaVersion = func(c *Context) (string, error) {
		sv, ok := c.AuthInfo["sv"].(string)
		if !ok {
			return "", errors.New("no sv claim")
		}
		return sv, nil
	}
	m := f.manager(ManagerOptions{ReloadInterval: -1})
	m.hooks = hooks
	defer m.Close()
	claims := func(sv string) map[string]any { return map[string]any{"app": "A", "db": "x", "sv": sv} }

	held := resolve(t, m, claims("1")) // a connection that keeps running on the first model
	heldModel := held.App.Model
	if again := resolve(t, m, claims("1")); again.App != held.App || f.loads.Load() != 1 {
		t.Fatalf("same schema_version recompiled (%d loads)", f.loads.Load())
	}

	// 20 connections bring version 2 at once: one compile.
	var wg sync.WaitGroup
	apps := make([]*App, 20)
	for i := range apps {
		wg.Go(func() {
			tn, err := m.Resolve(context.Background(), &Context{AuthInfo: claims("2")})
			if err != nil {
				t.Error(err)
				return
			}
			apps[i] = tn.App
			if tn.Driver != held.Driver {
				t.Error("a recompile replaced the pool")
			}
		})
	}
	wg.Wait()
	if n := f.loads.Load(); n != 2 {
		t.Errorf("%d loads after the version change, want 2", n)
	}
	for _, a := range apps {
		if a == nil || a != apps[0] || a == held.App {
			t.Fatalf("version 2 resolved to %p, first %p, old %p", a, apps[0], held.App)
		}
	}
	if held.App.Model != heldModel || held.Driver.(*fakeDriver).closed.Load() {
		t.Error("the recompile changed or closed what a running connection holds")
	}
	if err := held.Driver.Query(context.Background(), "SELECT 1", nil, func([][]byte) error { return nil }); err != nil {
		t.Errorf("old connection's query: %v", err)
	}

	// A model that no longer compiles keeps the current one in service.
	f.loadErr = errors.New("broken model")
	if tn := resolve(t, m, claims("3")); tn.App != apps[0] {
		t.Error("a broken model replaced the working one")
	}
	if _, err := m.Resolve(context.Background(), &Context{AuthInfo: map[string]any{"app": "A"}}); pgerr.Code(err) != pgerr.InvalidAuthorization {
		t.Errorf("schema_version hook error: %v, want 28000", err)
	}
}

// blockingDriver runs each query until release is closed.
type blockingDriver struct {
	fakeDriver
	running atomic.Int32
	release chan struct{}
}

func (d *blockingDriver) Query(ctx context.Context, _ string, _ []any, _ func([][]byte) error) error {
	d.running.Add(1)
	defer d.running.Add(-1)
	select {
	case <-d.release:
		return nil
	case <-ctx.Done():
		return pgerr.New(pgerr.QueryCanceled, "canceled")
	}
}

func TestMaxBackendConnections(t *testing.T) {
	release := make(chan struct{})
	var drivers []*blockingDriver
	var mu sync.Mutex
	f := &fakeEnv{}
	m := NewManager(f.hooks(), ManagerOptions{
		MaxBackendConnections: 2,
		OpenDriver: func(cfg driver.Config) (driver.Driver, error) {
			d := &blockingDriver{fakeDriver: fakeDriver{cfg: cfg}, release: release}
			mu.Lock()
			drivers = append(drivers, d)
			mu.Unlock()
			return d, nil
		},
		LoadModel: func(context.Context, schema.Repository) (*schema.Model, error) { return &schema.Model{}, nil },
	})
	defer m.Close()
	// Two tenants of different Apps share the global cap.
	a := resolve(t, m, map[string]any{"app": "A", "db": "x"})
	b := resolve(t, m, map[string]any{"app": "B", "db": "y"})
	query := func(tn *Tenant, ctx context.Context) error {
		return tn.Driver.Query(ctx, "SELECT 1", nil, func([][]byte) error { return nil })
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, tn := range []*Tenant{a, b} {
		wg.Go(func() { errs <- query(tn, context.Background()) })
	}
	for deadline := time.Now().Add(2 * time.Second); m.Stats().BackendsInUse < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", m.Stats())
		}
	}

	// A third query waits for its statement's deadline, then gets 53300.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	start := time.Now()
	err := query(a, ctx)
	cancel()
	if pgerr.Code(err) != pgerr.TooManyConnections || time.Since(start) < 90*time.Millisecond {
		t.Errorf("third query: %v after %v, want 53300 at the deadline", err, time.Since(start))
	}
	// A cancelled wait is the client's cancel.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if err := query(b, ctx); pgerr.Code(err) != pgerr.QueryCanceled {
		t.Errorf("cancelled wait: %v, want 57014", err)
	}
	mu.Lock()
	var running int32
	for _, d := range drivers {
		running += d.running.Load()
	}
	mu.Unlock()
	if running != 2 {
		t.Errorf("%d queries reached a backend, want 2", running)
	}

	// Once one finishes, a waiting query gets its slot.
	waiting := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		waiting <- query(a, ctx)
	}()
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if err := <-waiting; err != nil {
		t.Errorf("waiting query: %v", err)
	}
	if s := m.Stats(); s.BackendsInUse != 0 {
		t.Errorf("tokens leaked: %+v", s)
	}
}

// TestBackendWaitCause: a wait ended by a cause other than a plain cancel
// (the proxy's statement timeout) is 53300, not the client's cancel.
func TestBackendWaitCause(t *testing.T) {
	m := NewManager(Hooks{}, ManagerOptions{MaxBackendConnections: 1})
	defer m.Close()
	if err := m.acquireBackend(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(20*time.Millisecond, func() { cancel(errors.New("statement timeout")) })
	if err := m.acquireBackend(ctx); pgerr.Code(err) != pgerr.TooManyConnections {
		t.Errorf("got %v, want 53300", err)
	}
	m2 := NewManager(Hooks{}, ManagerOptions{MaxBackendConnections: 1, BackendWait: 30 * time.Millisecond})
	defer m2.Close()
	m2.acquireBackend(context.Background())
	if err := m2.acquireBackend(context.Background()); pgerr.Code(err) != pgerr.TooManyConnections {
		t.Errorf("after BackendWait: %v, want 53300", err)
	}
}

package tenancy

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

// ManagerOptions configure a Manager. The zero value is usable.
type ManagerOptions struct {
	// MaxApps bounds the resident Apps; the least recently used App that
	// no connection holds is evicted beyond it. 0 means no bound.
	MaxApps int
	// AppIdleTTL evicts an App, and closes a pool, that no connection has
	// held for this long. 0 means never.
	AppIdleTTL time.Duration
	// ReloadInterval is how often, at most, a resolution checks whether an
	// App's repository Version changed and recompiles its model. 0 means
	// one second; negative disables reloading.
	ReloadInterval time.Duration
	// MaxBackendConnections caps the queries running at once on backends,
	// across every App and pool: each holds one backend connection while
	// it runs. 0 means no cap. Idle pooled connections are not counted;
	// each pool's own max_conns bounds them.
	MaxBackendConnections int
	// BackendWait bounds how long a query waits for a backend connection
	// under MaxBackendConnections when its context has no earlier
	// deadline; 0 means 30s.
	BackendWait time.Duration
	Logger      *slog.Logger
	// OpenDriver opens a pool for a resolved driver config; driver.Open
	// by default.
	OpenDriver func(driver.Config) (driver.Driver, error)
	// LoadModel compiles a repository; schema.Load by default.
	LoadModel func(context.Context, schema.Repository) (*schema.Model, error)
}

// A Manager resolves connections to tenants and owns every App and pool:
// Apps are cached by AppID (compiled once, however many connections
// arrive at the same time), pools by App and exact driver config, and
// evicting an App closes its pools. Safe for concurrent use.
type Manager struct {
	hooks Hooks
	opts  ManagerOptions
	log   *slog.Logger

	sf singleflight.Group

	mu     sync.Mutex
	apps   map[string]*appEntry
	lru    *list.List // of *appEntry, most recently used first
	closed bool

	stop chan struct{}
	done chan struct{}

	backend chan struct{} // one token per running backend query; nil without a cap
}

// appEntry is the cache's record of one App: the current snapshot, and the
// pools and reference counts that outlive model reloads.
type appEntry struct {
	id   string
	repo schema.Repository

	// Guarded by Manager.mu.
	app           *App
	version       string // the repository's
	schemaVersion string // the schema_version hook's, when the model was compiled
	checked       time.Time
	reloading     bool
	elem          *list.Element
	refs          int
	lastUsed      time.Time
	pools         map[string]*pool // by driver-config fingerprint
	evicted       bool
}

type pool struct {
	cfg      driver.Config
	drv      driver.Driver
	refs     int // guarded by Manager.mu
	lastUsed time.Time
}

// NewManager returns a Manager for hooks. Close it to release every pool.
func NewManager(hooks Hooks, opts ManagerOptions) *Manager {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.OpenDriver == nil {
		opts.OpenDriver = driver.Open
	}
	if opts.LoadModel == nil {
		opts.LoadModel = schema.Load
	}
	if opts.ReloadInterval == 0 {
		opts.ReloadInterval = time.Second
	}
	if opts.BackendWait <= 0 {
		opts.BackendWait = 30 * time.Second
	}
	m := &Manager{hooks: hooks, opts: opts, log: opts.Logger, apps: map[string]*appEntry{}, lru: list.New(),
		stop: make(chan struct{}), done: make(chan struct{})}
	if opts.MaxBackendConnections > 0 {
		m.backend = make(chan struct{}, opts.MaxBackendConnections)
	}
	if opts.AppIdleTTL > 0 {
		go m.sweeper()
	} else {
		close(m.done)
	}
	return m
}

// Resolve runs the hooks for c and returns the tenant that serves it: the
// App for its AppID (loaded and compiled on first use), its dbType and the
// pool for its exact driver config. Call Tenant.Release when the
// connection ends. Hook errors are FATAL 28000; an invalid model is 42P17.
func (m *Manager) Resolve(ctx context.Context, c *Context) (*Tenant, error) {
	if err := m.hooks.check(); err != nil {
		return nil, err
	}
	appID, err := hook("context_to_app_id", func() (string, error) { return m.hooks.ContextToAppID(c) })
	if err != nil {
		return nil, err
	}
	dbType, err := hook("db_type", func() (string, error) { return m.hooks.DBType(c) })
	if err != nil {
		return nil, err
	}
	cfg, err := hook("driver_factory", func() (driver.Config, error) { return m.hooks.DriverFactory(c, dbType) })
	if err != nil {
		return nil, err
	}
	if cfg.Type == "" {
		cfg.Type = dbType
	}
	if cfg.Type != dbType {
		return nil, pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: driver_factory gave a %s config for db_type %s", cfg.Type, dbType)
	}
	var schemaVersion string
	if m.hooks.SchemaVersion != nil {
		if schemaVersion, err = hook("schema_version", func() (string, error) { return m.hooks.SchemaVersion(c) }); err != nil {
			return nil, err
		}
	}
	e, app, err := m.app(ctx, appID, schemaVersion, c)
	if err != nil {
		return nil, err
	}
	p, err := m.pool(e, cfg)
	if err != nil {
		m.unpin(e, nil)
		return nil, err
	}
	return &Tenant{App: app, DBType: dbType, Driver: p.drv, m: m, entry: e, pool: p}, nil
}

// check refuses hooks with a missing function.
func (h *Hooks) check() error {
	var missing string
	switch {
	case h.ContextToAppID == nil:
		missing = "context_to_app_id"
	case h.DBType == nil:
		missing = "db_type"
	case h.DriverFactory == nil:
		missing = "driver_factory"
	case h.RepositoryFactory == nil:
		missing = "repository_factory"
	default:
		return nil
	}
	return pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: no %s hook", missing)
}

// hook calls a tenancy hook, turning its error or panic into 28000.
func hook[T any](name string, f func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: %s hook failed", name)
			err.(*pgerr.Error).Err = fmt.Errorf("%s hook panicked: %v", name, r)
		}
	}()
	v, err = f()
	if err == nil {
		return v, nil
	}
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return v, err
	}
	e := pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: %s: %v", name, err)
	e.Err = err
	return v, e
}

// app returns the pinned cache entry for id and its current App, loading
// it once however many callers ask at the same time.
func (m *Manager) app(ctx context.Context, id, schemaVersion string, c *Context) (*appEntry, *App, error) {
	for attempt := 0; ; attempt++ {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, nil, pgerr.Fatal(pgerr.AdminShutdown, "terminating connection: the server is shutting down")
		}
		if e := m.apps[id]; e != nil {
			e.refs++
			m.lru.MoveToFront(e.elem)
			check := m.opts.ReloadInterval > 0 && !e.reloading && time.Since(e.checked) >= m.opts.ReloadInterval
			if check {
				e.reloading = true
				e.checked = time.Now()
			}
			app := e.app
			bump := schemaVersion != e.schemaVersion
			m.mu.Unlock()
			switch {
			case bump:
				if check {
					m.mu.Lock()
					e.reloading = false
					m.mu.Unlock()
				}
				app, err := m.recompile(ctx, e, schemaVersion)
				if err != nil {
					m.unpin(e, nil)
					return nil, nil, err
				}
				return e, app, nil
			case check:
				app = m.reload(ctx, e)
			}
			return e, app, nil
		}
		m.mu.Unlock()
		if attempt == 3 {
			return nil, nil, pgerr.Fatal(pgerr.TooManyConnections, "too many tenants: app %q was evicted while loading", id)
		}
		ch := m.sf.DoChan(id, func() (any, error) { return nil, m.load(id, schemaVersion, c) })
		select {
		case <-ctx.Done():
			return nil, nil, pgerr.Wrap(ctx.Err(), pgerr.QueryCanceled, "canceling connection while loading the data model")
		case r := <-ch:
			if r.Err != nil {
				return nil, nil, r.Err
			}
		}
	}
}

// load compiles the App id and inserts it into the cache. It runs once per
// id at a time and is not cancelled by any single caller.
func (m *Manager) load(id, schemaVersion string, c *Context) error {
	repo, err := hook("repository_factory", func() (schema.Repository, error) { return m.hooks.RepositoryFactory(c) })
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	version, model, err := m.compile(ctx, repo)
	if err != nil {
		m.log.Warn("data model does not compile", "app", id, "err", err)
		return err
	}
	m.log.Info("app loaded", "app", id, "cubes", len(model.Cubes), "took", time.Since(start))
	now := time.Now()
	e := &appEntry{id: id, repo: repo, version: version, schemaVersion: schemaVersion, checked: now, lastUsed: now, pools: map[string]*pool{}}
	e.app = &App{ID: id, Model: model}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return pgerr.Fatal(pgerr.AdminShutdown, "terminating connection: the server is shutting down")
	}
	e.elem = m.lru.PushFront(e)
	m.apps[id] = e
	// The new entry is spared until the callers waiting for it pin it.
	victims := m.evictOverflow(e)
	m.mu.Unlock()
	m.closeAll(victims)
	return nil
}

// compile reads the repository's version, then its model: a change in
// between is seen by the next check.
func (m *Manager) compile(ctx context.Context, repo schema.Repository) (string, *schema.Model, error) {
	version, err := repo.Version(ctx)
	if err != nil {
		return "", nil, modelErr(err)
	}
	model, err := m.opts.LoadModel(ctx, repo)
	if err != nil {
		return "", nil, modelErr(err)
	}
	return version, model, nil
}

func modelErr(err error) error {
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return err
	}
	return pgerr.Wrap(err, pgerr.InvalidObjectDefinition, "cannot load the data model")
}

// reload recompiles e's model if its repository changed and returns the
// App to use. Connections that hold the old App keep it; a model that no
// longer compiles keeps the old one in service.
func (m *Manager) reload(ctx context.Context, e *appEntry) *App {
	m.mu.Lock()
	old, oldVersion := e.app, e.version
	m.mu.Unlock()
	app := old
	version, err := e.repo.Version(ctx)
	if err == nil && version != oldVersion {
		v, model, err := m.compile(ctx, e.repo)
		if err != nil {
			m.log.Warn("data model changed but does not compile; keeping the previous one", "app", e.id, "err", err)
		} else {
			m.log.Info("app reloaded", "app", e.id)
			app, version = &App{ID: e.id, Model: model}, v
		}
	}
	m.mu.Lock()
	if app != old {
		e.app, e.version = app, version
	}
	e.reloading = false
	m.mu.Unlock()
	return app
}

// recompile compiles e's model again because the schema_version hook
// gave a new value, once however many callers bring that value, and
// returns the App to use. Connections that hold the old App keep it; a
// model that no longer compiles keeps the old one in service, and the
// new version is recorded so that it is not retried on every connection.
func (m *Manager) recompile(ctx context.Context, e *appEntry, schemaVersion string) (*App, error) {
	ch := m.sf.DoChan("schema_version\x00"+e.id+"\x00"+schemaVersion, func() (any, error) {
		m.mu.Lock()
		app, done := e.app, e.schemaVersion == schemaVersion
		m.mu.Unlock()
		if done {
			return app, nil
		}
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		version, model, err := m.compile(cctx, e.repo)
		m.mu.Lock()
		defer m.mu.Unlock()
		if err != nil {
			m.log.Warn("schema_version changed but the data model does not compile; keeping the previous one",
				"app", e.id, "schema_version", schemaVersion, "err", err)
		} else {
			m.log.Info("app recompiled", "app", e.id, "schema_version", schemaVersion)
			e.app, e.version = &App{ID: e.id, Model: model}, version
		}
		e.schemaVersion, e.checked = schemaVersion, time.Now()
		return e.app, nil
	})
	select {
	case <-ctx.Done():
		return nil, pgerr.Wrap(ctx.Err(), pgerr.QueryCanceled, "canceling connection while compiling the data model")
	case r := <-ch:
		return r.Val.(*App), nil
	}
}

// pool returns e's pinned pool for cfg, opening it on first use.
func (m *Manager) pool(e *appEntry, cfg driver.Config) (*pool, error) {
	fp := cfg.Fingerprint()
	m.mu.Lock()
	if p := e.pools[fp]; p != nil && !e.evicted {
		p.refs++
		m.mu.Unlock()
		return p, nil
	}
	m.mu.Unlock()
	drv, err := m.opts.OpenDriver(cfg)
	if err != nil {
		var pe *pgerr.Error
		if !errors.As(err, &pe) {
			err = pgerr.Wrap(err, pgerr.ConnectionFailure, "cannot open the tenant's database")
		}
		return nil, err
	}
	if m.backend != nil {
		drv = &cappedDriver{Driver: drv, m: m}
	}
	m.mu.Lock()
	if e.evicted {
		// Only Close evicts a pinned entry.
		m.mu.Unlock()
		drv.Close()
		return nil, pgerr.Fatal(pgerr.AdminShutdown, "terminating connection: the server is shutting down")
	}
	if p := e.pools[fp]; p != nil { // another connection opened it first
		p.refs++
		m.mu.Unlock()
		drv.Close()
		return p, nil
	}
	p := &pool{cfg: cfg, drv: drv, refs: 1, lastUsed: time.Now()}
	e.pools[fp] = p
	m.mu.Unlock()
	m.log.Debug("pool opened", "app", e.id, "backend", cfg.String())
	return p, nil
}

// unpin releases one hold on e (and on p, if not nil).
func (m *Manager) unpin(e *appEntry, p *pool) {
	now := time.Now()
	m.mu.Lock()
	if p != nil {
		p.refs--
		p.lastUsed = now
	}
	e.refs--
	e.lastUsed = now
	victims := m.evictOverflow(nil)
	m.mu.Unlock()
	m.closeAll(victims)
}

// evictOverflow removes the least recently used unheld entries beyond
// MaxApps. Held entries are never evicted: their connections are using
// the pools. Called with mu held; the caller closes the victims.
func (m *Manager) evictOverflow(spare *appEntry) []*appEntry {
	var victims []*appEntry
	if m.opts.MaxApps <= 0 {
		return nil
	}
	for el := m.lru.Back(); el != nil && len(m.apps) > m.opts.MaxApps; {
		prev := el.Prev()
		if e := el.Value.(*appEntry); e.refs == 0 && e != spare {
			victims = append(victims, m.remove(e))
		}
		el = prev
	}
	return victims
}

func (m *Manager) remove(e *appEntry) *appEntry {
	m.lru.Remove(e.elem)
	delete(m.apps, e.id)
	e.evicted = true
	return e
}

// closeAll closes the pools of evicted entries, outside the lock.
func (m *Manager) closeAll(victims []*appEntry) {
	for _, e := range victims {
		m.log.Info("app evicted", "app", e.id, "pools", len(e.pools))
		for _, p := range e.pools {
			p.drv.Close()
		}
	}
}

// sweeper evicts idle Apps and closes idle pools every TTL/2.
func (m *Manager) sweeper() {
	defer close(m.done)
	t := time.NewTicker(max(m.opts.AppIdleTTL/2, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-t.C:
			m.sweep(now)
		}
	}
}

func (m *Manager) sweep(now time.Time) {
	ttl := m.opts.AppIdleTTL
	var victims []*appEntry
	var idle []*pool
	m.mu.Lock()
	for _, e := range m.apps {
		if e.refs == 0 && now.Sub(e.lastUsed) > ttl {
			victims = append(victims, m.remove(e))
			continue
		}
		for fp, p := range e.pools {
			if p.refs == 0 && now.Sub(p.lastUsed) > ttl {
				delete(e.pools, fp)
				idle = append(idle, p)
			}
		}
	}
	m.mu.Unlock()
	m.closeAll(victims)
	for _, p := range idle {
		p.drv.Close()
	}
}

// Stats counts the resident Apps and open pools, and the backend queries
// running under MaxBackendConnections.
type Stats struct {
	Apps          int
	Pools         int
	BackendsInUse int
}

// Stats returns the current counts.
func (m *Manager) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Stats{Apps: len(m.apps), BackendsInUse: len(m.backend)}
	for _, e := range m.apps {
		s.Pools += len(e.pools)
	}
	return s
}

// Close evicts every App and closes every pool, ending running queries.
// Resolve fails afterwards.
func (m *Manager) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	var victims []*appEntry
	for _, e := range m.apps {
		victims = append(victims, m.remove(e))
	}
	m.mu.Unlock()
	close(m.stop)
	<-m.done
	m.closeAll(victims)
}

// Release ends the connection's hold on its App and pool, so that they
// can be evicted once idle. Safe to call more than once.
func (t *Tenant) Release() {
	if t.m == nil || !t.released.CompareAndSwap(false, true) {
		return
	}
	t.m.unpin(t.entry, t.pool)
}

// cappedDriver holds one of the Manager's backend tokens while a query or
// ping runs, so that all pools together run at most MaxBackendConnections
// statements at once.
type cappedDriver struct {
	driver.Driver
	m *Manager
}

func (d *cappedDriver) Query(ctx context.Context, sql string, args []any, row func([][]byte) error) error {
	if err := d.m.acquireBackend(ctx); err != nil {
		return err
	}
	defer func() { <-d.m.backend }()
	return d.Driver.Query(ctx, sql, args, row)
}

func (d *cappedDriver) Ping(ctx context.Context) error {
	if err := d.m.acquireBackend(ctx); err != nil {
		return err
	}
	defer func() { <-d.m.backend }()
	return d.Driver.Ping(ctx)
}

// acquireBackend takes a backend token, waiting at most until ctx ends or
// BackendWait passes: then the statement fails with 53300, or 57014 when
// the client cancelled it.
func (m *Manager) acquireBackend(ctx context.Context) error {
	select {
	case m.backend <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(m.opts.BackendWait)
	defer t.Stop()
	select {
	case m.backend <- struct{}{}:
		return nil
	case <-ctx.Done():
		// A plain cancel is the client's; a deadline or any other cause
		// (the proxy's statement timeout) means no slot came in time.
		if cause := context.Cause(ctx); errors.Is(cause, context.Canceled) {
			return pgerr.Wrap(cause, pgerr.QueryCanceled, "canceling statement due to user request")
		}
	case <-t.C:
	}
	return pgerr.New(pgerr.TooManyConnections, "too many backend connections: all %d are in use (tenancy.max_backend_connections)", m.opts.MaxBackendConnections).
		WithHint("retry later, or raise tenancy.max_backend_connections")
}

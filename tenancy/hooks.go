package tenancy

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy/config"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

// safeValue is what a template hole may produce for a database name, a
// path or any driver-config field: ASCII letters, digits, _ and -, so no
// path separator, dot, quote, space, DSN syntax or look-alike letter.
var safeValue = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// maxValueLen is PostgreSQL's identifier limit; longer names would be
// truncated by the server and could collide.
const maxValueLen = 63

// HooksFromConfig returns the four hooks that the config's tenancy section
// describes: the same Hooks a Go program can write by hand.
func HooksFromConfig(cfg *config.Config) (Hooks, error) {
	t := cfg.Tenancy
	if t.ContextToAppID == nil || t.DBType == nil || t.RepositoryFactory.Path == nil || len(t.DriverFactory) == 0 {
		return Hooks{}, errors.New("tenancy: config was not loaded with config.Load or config.Parse")
	}
	h := Hooks{
		ContextToAppID: func(c *Context) (string, error) {
			id, err := t.ContextToAppID.Render(vars(c), nil)
			if err != nil {
				return "", unresolved(err)
			}
			if id == "" || len(id) > 256 || strings.ContainsFunc(id, func(r rune) bool { return r < ' ' || r == 0x7f }) {
				return "", pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: tenancy.context_to_app_id gave an invalid app id")
			}
			return id, nil
		},
		DBType: func(c *Context) (string, error) {
			typ, err := t.DBType.Render(vars(c), nil)
			if err != nil {
				return "", unresolved(err)
			}
			if _, ok := t.DriverFactory[typ]; !ok {
				return "", pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: db_type %q has no driver_factory entry", typ)
			}
			return typ, nil
		},
		DriverFactory: func(c *Context, dbType string) (driver.Config, error) {
			dt, ok := t.DriverFactory[dbType]
			if !ok {
				return driver.Config{}, pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: db_type %q has no driver_factory entry", dbType)
			}
			return driverConfig(dt, vars(c), cfg.Dir)
		},
		RepositoryFactory: func(c *Context) (schema.Repository, error) {
			return repository(cfg, vars(c))
		},
	}
	if t.SchemaVersion != nil {
		h.SchemaVersion = func(c *Context) (string, error) {
			v, err := t.SchemaVersion.Render(vars(c), nil)
			if err != nil {
				return "", unresolved(err)
			}
			return v, nil
		}
	}
	return h, nil
}

func vars(c *Context) config.Vars {
	return config.Vars{AuthInfo: c.AuthInfo, User: c.User, Database: c.Database, ApplicationName: c.ApplicationName}
}

// unresolved turns a template error into the client's 28000.
func unresolved(err error) error {
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return err
	}
	e := pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: %v", err)
	e.Err = err
	return e
}

// checkHole refuses a hole result that is unsafe in field.
func checkHole(field string) func(*config.Hole, string) error {
	return func(h *config.Hole, v string) error {
		if len(v) <= maxValueLen && safeValue.MatchString(v) {
			return nil
		}
		what := "{{ " + h.Expr + " }}"
		if len(h.Refs) > 0 {
			what = strings.Join(h.Refs, ", ")
		}
		e := pgerr.Fatal(pgerr.InvalidAuthorization, "value of %s is not allowed in %s", what, field).
			WithHint("values from claims used in database names, paths and driver settings must match %s and be at most %d bytes", safeValue, maxValueLen)
		e.Err = fmt.Errorf("%s: %s gave %q", field, what, v)
		return e
	}
}

// driverConfig renders one driver_factory entry; dir resolves a relative
// sqlite file path.
func driverConfig(dt *config.DriverTemplate, v config.Vars, dir string) (driver.Config, error) {
	key := "tenancy.driver_factory." + dt.Type
	field := func(t *config.Template, name string) (string, error) {
		if t == nil {
			return "", nil
		}
		s, err := t.Render(v, checkHole(key+"."+name))
		if err != nil {
			return "", unresolved(err)
		}
		// Identifiers longer than this are truncated by the server and could
		// collide; a sqlite database is a file path, not an identifier.
		if !t.IsConst() && len(s) > maxValueLen && dt.Type != "sqlite" {
			return "", pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: %s.%s is longer than %d bytes", key, name, maxValueLen)
		}
		return s, nil
	}
	cfg := driver.Config{Type: dt.Type}
	var port, maxConns string
	for _, f := range []struct {
		t    *config.Template
		name string
		dst  *string
	}{
		{dt.Host, "host", &cfg.Host}, {dt.Port, "port", &port}, {dt.User, "user", &cfg.User},
		{dt.Password, "password", &cfg.Password}, {dt.Database, "database", &cfg.Database},
		{dt.SSLMode, "sslmode", &cfg.SSLMode}, {dt.MaxConns, "max_conns", &maxConns},
	} {
		s, err := field(f.t, f.name)
		if err != nil {
			return driver.Config{}, err
		}
		*f.dst = s
	}
	var err error
	if cfg.Port, err = config.ParsePort(port); err != nil {
		return driver.Config{}, unresolved(fmt.Errorf("%s.port: %w", key, err))
	}
	if cfg.MaxConns, err = config.ParseMaxConns(maxConns); err != nil {
		return driver.Config{}, unresolved(fmt.Errorf("%s.max_conns: %w", key, err))
	}
	if err := config.CheckSSLMode(cfg.SSLMode); err != nil {
		return driver.Config{}, unresolved(fmt.Errorf("%s.sslmode: %w", key, err))
	}
	if cfg.Type == "sqlite" && cfg.Database != "" && !filepath.IsAbs(cfg.Database) {
		cfg.Database = filepath.Join(dir, cfg.Database)
	}
	return cfg, nil
}

// repository renders the model path and keeps it inside its root.
func repository(cfg *config.Config, v config.Vars) (schema.Repository, error) {
	const key = "tenancy.repository_factory.path"
	rf := cfg.Tenancy.RepositoryFactory
	p, err := rf.Path.Render(v, checkHole(key))
	if err != nil {
		return nil, unresolved(err)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(cfg.Dir, p)
	}
	p = filepath.Clean(p)
	rel, err := filepath.Rel(rf.Root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		e := pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: %s leaves its root", key)
		e.Err = fmt.Errorf("%s: %q is outside %q", key, p, rf.Root)
		return nil, e
	}
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		e := pgerr.Fatal(pgerr.InvalidAuthorization, "tenant cannot be resolved: no data model for this tenant")
		e.Err = fmt.Errorf("%s: %q is not a directory", key, p)
		return nil, e
	}
	return schema.DirRepository{Root: p}, nil
}

// NewManagerFromConfig returns a Manager over the config's hooks and
// bounds (tenancy.max_apps, tenancy.app_idle_ttl,
// tenancy.max_backend_connections).
func NewManagerFromConfig(cfg *config.Config, logger *slog.Logger) (*Manager, error) {
	hooks, err := HooksFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	return NewManager(hooks, ManagerOptions{
		MaxApps:               cfg.Tenancy.MaxApps,
		AppIdleTTL:            cfg.Tenancy.AppIdleTTL,
		MaxBackendConnections: cfg.Tenancy.MaxBackendConnections,
		Logger:                logger,
	}), nil
}

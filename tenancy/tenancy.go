package tenancy

import (
	"sync/atomic"
	"time"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

// Context is what the hooks see for one connection: the verified token's
// claims (authInfo, also called securityContext) and the startup
// parameters.
type Context struct {
	AuthInfo        map[string]any
	User            string
	Database        string
	ApplicationName string
	ExpiresAt       time.Time // the token's exp; zero when it has none
}

// SecurityContext is AuthInfo under Cube's other name.
func (c *Context) SecurityContext() map[string]any { return c.AuthInfo }

// Hooks resolve a Context to its tenant, as Cube's multitenancy options do.
// Each returns an error for a context it cannot serve; the proxy refuses the
// connection with 28000.
type Hooks struct {
	// ContextToAppID picks the App: the compiled model and its caches.
	ContextToAppID func(*Context) (string, error)
	// DBType picks the backend kind and SQL dialect.
	DBType func(*Context) (string, error)
	// DriverFactory says where the tenant's data lives.
	DriverFactory func(*Context, string) (driver.Config, error)
	// RepositoryFactory says where the tenant's data model lives.
	RepositoryFactory func(*Context) (schema.Repository, error)
	// SchemaVersion, optional, is Cube's schemaVersion: when its value for
	// a context differs from the one the App was compiled under, the
	// App's model is recompiled. Connections holding the old App keep it.
	SchemaVersion func(*Context) (string, error)
}

// An App is a compiled data model, cached by AppID with the backend pools
// that serve it. A model reload makes a new App; connections that hold
// the old one keep it until they end.
type App struct {
	ID    string
	Model *schema.Model
}

// A Tenant is what one connection is served by: its App, its backend kind
// and the pool for its exact driver config. Call Release when the
// connection ends, so that the App and pool can be evicted once idle.
type Tenant struct {
	App    *App
	DBType string
	Driver driver.Driver

	m        *Manager
	entry    *appEntry
	pool     *pool
	released atomic.Bool
}

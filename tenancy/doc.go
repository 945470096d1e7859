// Package tenancy turns a client's token into the tenant that serves it,
// as Cube's multitenancy does, and owns every per-tenant resource.
//
// # Layers
//
//   - Verifier (jwt.go) checks the password as an HS256/384/512 JWT and
//     builds the connection's Context: authInfo (securityContext) and the
//     startup parameters. Every rejection is FATAL 28P01 with one generic
//     message; the reason is in the wrapped error, for the log only.
//   - Hooks (tenancy.go) are Cube's four functions of a Context:
//     ContextToAppID, DBType, DriverFactory, RepositoryFactory. A Go
//     program writes them by hand; HooksFromConfig (hooks.go) builds them
//     from the config file's templates (package config).
//   - Manager (manager.go) runs the hooks and caches an App (the compiled
//     model) per AppID, and a backend pool (package driver) per App and
//     exact driver config.
//
// # Lifecycle
//
// A connection calls Verifier.Authenticate, then Manager.Resolve, then
// uses Tenant.App.Model and Tenant.Driver, and calls Tenant.Release when
// it ends. The first Resolve of an AppID loads and compiles its model
// once, however many connections arrive together (singleflight); later
// ones reuse it and, at most once per ReloadInterval, recompile it when
// the repository's Version changes (connections holding the old App keep
// it). An App that no connection holds is evicted beyond MaxApps (least
// recently used first) or after AppIdleTTL; eviction closes its pools.
// Manager.Close closes everything and ends running queries.
//
// # Invariants
//
//   - A pool is keyed by App and the sha256 fingerprint of every field of
//     the resolved driver.Config, password included: two contexts share a
//     pool only when their configs are identical.
//   - A template hole that feeds a driver-config field or a repository
//     path must produce ^[A-Za-z0-9_-]+$ of at most 63 bytes; anything else
//     is FATAL 28000 naming the claim. Literal text around holes is the
//     operator's and is not checked. Driver configs are structs, never DSN
//     strings, and a repository path never leaves its root.
//   - Hook failures are 28000; an invalid model keeps its 42P17 error.
//
// # Tests
//
// Unit tests use hand-written hooks and fake drivers (manager_test.go);
// integration tests (integration_test.go, driver/driver_test.go) create
// lattice_test_tenancy_* databases on the real PostgreSQL and MariaDB and
// fail when a server is missing. Add a rejected token to TestVerifyRejects
// and a refused claim to TestInjectedClaimsAreRefused.
package tenancy

// Package tenancy turns a client's token into the tenant that serves it,
// as Cube's multitenancy does, and owns every per-tenant resource.
//
// # Layers
//
//   - Verifier (jwt.go) checks the password as a JWT and builds the
//     connection's Context: authInfo (securityContext) and the startup
//     parameters. HS256/384/512 use the secret; RS256/384/512, ES256/384
//     and EdDSA use a JWK Set (jwks.go) read from a file or fetched from a
//     URL (cached for JWKSMaxAge; an unknown kid refetches at most once per
//     JWKSRefetchInterval; 1 MiB and 5 s caps). Every rejection is FATAL
//     28P01 with one generic message; the reason is in the wrapped error,
//     for the log only.
//   - Hooks (tenancy.go) are Cube's four functions of a Context:
//     ContextToAppID, DBType, DriverFactory, RepositoryFactory, plus the
//     optional SchemaVersion (Cube's schemaVersion). A Go
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
// it). A SchemaVersion value other than the one the App was compiled
// under recompiles it at once (one compile however many connections bring
// the new value); here too, connections holding the old App keep it, so
// statements already running finish on the old model. A model that no
// longer compiles keeps the previous one in service. With
// MaxBackendConnections, every pool's Driver is wrapped so that at most
// that many queries run on backends at once, across all tenants; a query
// that cannot get a slot before its context ends (or BackendWait) gets
// 53300. An App that no connection holds is evicted beyond MaxApps (least
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
//   - Every JWK Set key is pinned to one algorithm (its alg, or the one
//     its kty and crv imply; RS256 for an RSA key without alg), and is
//     only used for tokens of exactly that alg. The HMAC secret is only
//     used for HS tokens, and an HS token whose kid names a public key is
//     refused, so a public key can never serve as an HMAC secret. A token
//     never chooses where a key comes from: jku, x5u, jwk, x5c, crit and
//     JWE headers are refused, and kid must match safeKid. HMAC signatures
//     are compared by golang-jwt with hmac.Equal (constant time).
//
// # Tests
//
// Unit tests use hand-written hooks and fake drivers (manager_test.go);
// integration tests (integration_test.go, driver/driver_test.go) create
// lattice_test_tenancy_* databases on the real PostgreSQL and MariaDB and
// fail when a server is missing. Add a rejected token to TestVerifyRejects
// (TestVerifyRejectsPublicKeys for JWK Set tokens) and a refused claim to
// TestInjectedClaimsAreRefused. The proxy package's isolation_test.go and
// resilience_test.go run this package for real behind the proxy.
package tenancy

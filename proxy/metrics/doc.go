// Package metrics counts what Lattice serves and writes it in the
// Prometheus text exposition format (version 0.0.4), without a client
// library: the set of series is small and fixed.
//
// # Series
//
//	lattice_http_requests_total{endpoint,code}        REST requests by endpoint and status
//	lattice_queries_total{frontend,outcome,class}     queries by front end (http, pgwire),
//	                                                  outcome (ok, error) and SQLSTATE class
//	lattice_planning_seconds{frontend}                planning latency histogram
//	lattice_backend_seconds{frontend}                 backend query latency histogram
//	lattice_client_connections{frontend}              open client connections (gauge)
//	lattice_<name> registered with GaugeFunc          e.g. resident Apps, open pools
//
// # Invariants
//
// Labels only take values from bounded sets: endpoints are route names
// chosen by the caller, SQLSTATEs are cut to their two-character class,
// and there is no tenant label, so the number of series stays bounded
// however many tenants connect. Every method is safe for concurrent use
// and a nil *Metrics is a valid no-op, so callers need no checks.
//
// # Feeding it
//
// The REST API (proxy/httpapi) records requests, queries and latencies.
// The pgwire proxy can feed the same Metrics with Query, ObservePlanning,
// ObserveBackend and ConnOpened/ConnClosed under frontend "pgwire".
package metrics

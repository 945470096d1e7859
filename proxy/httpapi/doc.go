// Package httpapi serves Cube's REST API over Lattice's semantic layer:
// the same tenancy and the same planner as the pgwire proxy, with a Cube
// JSON query instead of SQL text. One planner, two front ends.
//
// # Routes
//
//	GET|POST /cubejs-api/v1/load      run one query, or an array (queryType=multi)
//	GET|POST /cubejs-api/v1/sql       the backend SQL and parameters, not run
//	GET|POST /cubejs-api/v1/dry-run   the normalized queries, planned, not run
//	GET      /cubejs-api/v1/meta      the tenant's cubes, measures, dimensions, segments
//	GET      /livez, /readyz          liveness; readiness (503 after Shutdown)
//	GET      /metrics                 Prometheus text (package proxy/metrics)
//
// # Layers
//
//  1. Request (server.go): the Authorization header (a JWT, with or
//     without "Bearer ") goes through the Authenticator to a
//     tenancy.Context (no user or database: HTTP has no startup
//     packet), then the Resolver gives the Tenant, released when the
//     request ends. GET reads ?query=<JSON>&queryType=; POST a JSON body
//     {"query": ..., "queryType": ...}.
//  2. Parse (query.go): strict JSON decoding of Cube's query format;
//     unknown keys are errors, as Cube's validation makes them. Order
//     keeps the key order of its object form.
//  3. Compile (translate.go, daterange.go): the query is checked against
//     the tenant's model and written as the semantic SQL dialect that
//     pgwire clients send (ARCHITECTURE §4): cubes are tables joined by
//     CROSS JOIN (the model's joins; the first measure's cube leads),
//     MEASURE(cube.m), DATE_TRUNC('g', cube.t), segments as boolean
//     columns in WHERE, measure filters in HAVING, GROUP BY and ORDER BY
//     by ordinal. Every client value is a $n parameter, never SQL text;
//     member names are checked against the model and quoted. Relative
//     date ranges are resolved here against Options.Now, in the query's timezone.
//  4. Plan and run (load.go): planner.Plan for the tenant's dialect; the
//     parameters are converted to the Go type the planner inferred for
//     each $n (a malformed number is 22P02, not sent); Driver.Query
//     streams text rows that are appended to the response as Cube's
//     values: numbers as strings, times as YYYY-MM-DDTHH:mm:ss.SSS,
//     booleans as JSON booleans.
//
// # Errors
//
// Every error is {"error": message, "sqlState": code}, with the status
// from Status: 403 for 28xxx (bad, expired or missing token; unresolvable
// tenant), 400 for 42xxx, 0A000 and 22xxx (the query's fault), 500
// otherwise, including 42P17 (the tenant's model does not compile) and
// backend failures. Messages are the client-facing ones of *pgerr.Error;
// causes go to the log, a panic becomes "internal error".
//
// # Invariants
//
// A request holds its Tenant only while it runs. Metric labels are route
// names and SQLSTATE classes, never tenants or paths. A query's timezone
// (an IANA name, checked with time.LoadLocation; unknown is a 400) makes
// every time dimension reference the planner's "t AT TIME ZONE 'Zone'":
// granularities truncate, date bounds compare and results print in local
// time of that zone; relative ranges are days of that zone.
//
// # Tests
//
// compile_test.go runs testdata/compile.txt (datadriven: a JSON query in,
// the semantic SQL and parameters out; -rewrite regenerates it).
// integration_test.go serves seeded tenants on PostgreSQL and MariaDB
// (databases lattice_test_http_*, created and dropped) and checks every
// answer against numbers computed from the seed rows; client_test.go
// drives @cubejs-client/core from testdata/cubejs-client (npm) and
// compares with the SQL interface. BenchmarkLoad measures /v1/load.
package httpapi

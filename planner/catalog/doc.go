// Package catalog answers the queries Lattice answers itself: the
// pg_catalog and information_schema tables that BI tools introspect (built
// from each App's compiled model), SHOW, and constant selects such as
// SELECT 1 or SELECT version(). It is a small SQL executor over virtual
// tables; catalog queries never reach a tenant's backend.
//
// # Layers
//
//   - Tables (pg_*.go, information_schema_*.go): one file per catalog
//     table, declaring its columns as data with their PostgreSQL 15 types
//     and a rows function; table.go holds the registry. Static rows
//     (pg_type, pg_proc, pg_am, pg_settings, keywords, ...) are dumps of a
//     real PostgreSQL 15 under static/, loaded at init.
//   - Snapshot (snapshot.go): the model's relations with stable OIDs —
//     per cube, in cube order from 16384: table, array type, row type,
//     then the <cube>_pkey index and its constraint when the cube has
//     primary_key dimensions. Cube columns follow ARCHITECTURE §4
//     (measures, dimensions, segments, __user, __cubeJoinField). Table rows
//     that depend only on the model are computed once per snapshot.
//     CubeColumn exposes a cube column's table OID and attnum so that the
//     planner can give semantic result columns their origin.
//   - Compiler (query.go, expr.go, funcs.go, agg.go, srf.go, window.go):
//     turns a pg_query SELECT into a tree of nodes and closures. Every
//     expression has a static type, so Result.Columns and ParamOIDs are
//     known before execution (Describe). Unknown literals and $n parameters
//     take their type from context, as in Postgres.
//   - Executor: nodes materialize rows (catalogs are small). WHERE
//     conjuncts are pushed to the FROM items they read and equalities
//     become hash joins, so comma-joined pgjdbc queries and psql's
//     per-column correlated subqueries stay well under a millisecond.
//
// # Values
//
// Internally: nil, bool, int64 (all integer and OID types, regclass and
// regtype included), float64, string (text types, "char", regproc),
// time.Time, []any (arrays, int2vector, oidvector, records). Result rows
// are converted to what pgtype encodes for the column OID (int16, int32,
// uint32 for oid, []*T for arrays); regclass, regtype, int2vector,
// oidvector and "char" come out as their text form, which needs
// RegisterTypes on the proxy's pgtype.Map.
//
// # Invariants
//
//   - A Result is immutable and safe for concurrent use; Rows reads the
//     Session (user, database, settings) at execution time.
//   - Errors are *pgerr.Error with the SQLSTATE Postgres would raise.
//
// # Testing
//
// The reference is PostgreSQL itself. TestClientQueries creates the
// database lattice_test_catalog with tables mirroring a fixture model,
// runs the client queries in testdata/clients/*.sql (captured from psql
// -E, pgjdbc and SQLAlchemy against a real server; taken from the sources
// of Npgsql, Metabase, Grafana, DBeaver, Superset and psqlODBC, which
// Tableau drives, each with a "-- source:" line; plus executor cases)
// against it and against this package, and compares column names, type
// OIDs and rows, with user OIDs compared through the names they stand
// for. A query PostgreSQL itself rejects fails the test, since both sides
// erring alike would pass. testdata/expected_failures.txt is a ratchet: a
// listed query that starts passing fails the test too. To add a client
// query, append it to a corpus file with a "-- name:" line, writing
// {{oid:<relation>}} for a relation OID. BenchmarkCatalog times psql's \d orders and pgjdbc's
// getColumns against a 20-cube model.
package catalog

// Package planner turns the SQL a client sends into what Lattice must do
// with it: backend SQL for a tenant's database, rows Lattice computes
// itself, or a session change for the proxy.
//
// # Layers
//
// Plan runs one pipeline per statement:
//
//  1. Parse (dispatch.go). pg_query_go (PostgreSQL's own parser) turns the
//     text into a protobuf AST; a syntax error becomes 42601 with the
//     character position. Only this package and planner/catalog import
//     pg_query_go.
//  2. Dispatch (dispatch.go). A SELECT whose FROM names a cube is semantic;
//     any other query (pg_catalog, information_schema, SELECT 1, SHOW) goes
//     to planner/catalog (catalog_bridge.go); SET, RESET, transactions,
//     DISCARD, DEALLOCATE and cursors become a Utility; EXPLAIN shows the
//     backend SQL; writes are refused with 25006.
//  3. Bind (semantic.go, filter.go): AST → semantic query IR (ir.go). Names
//     resolve to members of the FROM cubes (quoted or not, qualified by
//     alias, cube or public.cube); aggregates are checked against measure
//     types (42803 with a hint naming MEASURE()); GROUP BY / ORDER BY
//     ordinals and output names resolve as PostgreSQL resolves them;
//     DATE_TRUNC of a time dimension is that dimension at a granularity;
//     time_dim AT TIME ZONE 'Zone' (a literal IANA name, checked with
//     time.LoadLocation, else 22023) is that dimension, stored as UTC, as
//     local time in Zone, so truncation and comparisons are local
//     (Dialect.FromUTC; SQLite has no zone data and refuses with 0A000);
//     WHERE/HAVING become a condition tree; parameters get the type of the
//     member they are compared with. Nothing here knows the backend.
//  4. Generate (sql.go, jointree.go): IR → SQL through a dialect.Dialect
//     (planner/dialect). The cubes are LEFT JOINed from the first FROM cube
//     along the model's join tree (schema.Model.JoinTree), adding cubes that
//     member SQL refers to. When a join repeats the rows of a cube whose
//     additive measures (count, sum, avg, number) the query aggregates, those
//     measures are computed in a subquery per cube over the DISTINCT
//     (dimensions, primary key) pairs of the joined rows, joined back on the
//     dimensions with a NULL-safe equality; count_distinct, min and max need
//     no such care. Parameters are written as markers and numbered last, so
//     a WHERE repeated in several subqueries maps each placeholder to its
//     client parameter (Statement.Args).
//
// # Same answer on every backend
//
// The dialects make PostgreSQL and MySQL/MariaDB print the same text for the
// same data: averages and number measures are DECIMAL(65,10) (computed from
// 30-digit decimals so that division is never integer division), time is a
// timestamp without zone truncated in SQL (weeks start on Monday), string
// comparisons and LIKE are case-sensitive on MySQL too (BINARY), ILIKE is
// LOWER() LIKE LOWER(), NULLs sort as in PostgreSQL, booleans print t/f.
// String dimensions are selected, grouped, DISTINCTed and ordered by their
// exact characters (Dialect.ExactString: utf8mb4_bin on MySQL, whose
// default collations would merge 'Completed' and 'completed' into one
// group), and so are count_distinct measures over a string dimension's
// column. ORDER BY a string is therefore code point order on MySQL, while
// PostgreSQL orders by its database collation: the two agree when that is
// C or C.UTF-8, not under a linguistic one such as en_US. utf8mb4_bin
// still ignores trailing spaces, so 'a' and 'a ' form one group on MySQL.
// SQL written in the model (segments, measure filters, member sql) runs as
// written, with the backend's own comparison rules.
// Result column types come from the plan (ARCHITECTURE §4), never from the
// backend.
//
// Result columns that select a cube column directly (a dimension without
// granularity or function, a segment, a measure per row) carry the table
// OID and attnum that planner/catalog gives that column
// (catalog.CubeColumn), as PostgreSQL does for a plain column reference, so
// that drivers can look up the origin table and nullability; aggregates
// and expressions carry 0.
//
// Choices worth knowing: a segment in the select list is a boolean column
// (grouped like a dimension); __user and __cubeJoinField select as NULL
// text and cannot be filtered; a bare measure in an ungrouped query is its
// per-row value (count is 1), except number measures (0A000).
//
// # Invariants
//
// Plan is pure: no I/O, no clocks, no globals written; the model is only
// read, so Plan is safe for concurrent use. Every error is a *pgerr.Error
// with a SQLSTATE other than XX000 (FuzzPlan checks it). Statements are
// immutable and may be executed many times.
//
// # Tests
//
// Golden files in testdata/*.txt (cockroachdb/datadriven), one per concern,
// against the fixture model in testdata/model. To add a case, append
//
//	plan [params=(v1,v2)] [oids=(25)] [ties]
//	SELECT ...
//	----
//
// and run `go test ./planner -run TestGolden -rewrite`, then review the
// diff. The output is the plan per dialect (once when they agree): backend
// SQL, result columns with types, Args and ParamOIDs, or
// `error (SQLSTATE): message`. TestIntegration runs every backend case on
// PostgreSQL and MariaDB (database lattice_test_planner, created and
// dropped) and requires identical rows (params= gives parameter values,
// ties marks an ORDER BY with ties, pgerror= a SQLSTATE PostgreSQL must
// raise); a case that plans on one backend only, or has parameters but no
// values, fails. It also checks the fan-out cases against hand-written SQL.
//
// TestDifferential is the exactness check: a generated tenant (four
// tables, about 11,000 rows with NULLs, mixed case, dangling keys and
// timestamps on week, quarter and year boundaries over 2021-2025) is loaded
// into lattice_test_planner_diff on both servers, and every case of
// testdata/differential/*.txt pairs a semantic query with a reference SQL
// written by hand on the raw tables (per backend where they must differ):
// the plan must return the reference's rows on each backend, numbers
// compared to 1e-9. Add a case as
//
//	diff [params=(v1,v2)] [ties] [empty]
//	SELECT ... semantic
//	----
//	SELECT ... reference (or "postgres:\n<sql>\nmysql:\n<sql>")
//
// BenchmarkPlan plans the whole corpus.
package planner

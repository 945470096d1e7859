// Package schema is Lattice's data model: Cube's YAML format, loaded
// strictly, compiled once, and then read by the planner and the catalog.
//
// # Format
//
// A model is a set of YAML files, each a mapping with a cubes list, as Cube
// writes them:
//
//	cubes:
//	  - name: orders
//	    sql_table: public.orders        # or sql: SELECT ... (a subquery)
//	    measures:
//	      - name: count
//	        type: count                 # count_distinct, count_distinct_approx, sum, avg, min, max, number
//	      - name: completed_count
//	        type: count
//	        filters:
//	          - sql: "{CUBE}.status = 'completed'"
//	    dimensions:
//	      - name: id
//	        sql: id
//	        type: number                # string, number, time, boolean
//	        primary_key: true
//	    segments:
//	      - name: completed
//	        sql: "{CUBE}.status = 'completed'"
//	    joins:
//	      - name: users                 # the cube joined to
//	        relationship: many_to_one   # one_to_many, one_to_one; belongs_to, has_many, has_one
//	        sql: "{CUBE}.user_id = {users}.id"
//
// Keys may also be spelled in camelCase (primaryKey, sqlTable, manyToOne).
// Cube keys that change nothing Lattice computes (meta, format,
// pre_aggregations, refresh_key, data_source, ...) are ignored; Cube keys
// whose meaning Lattice does not implement (extends, rolling_window,
// sub_query, views, ...) and unknown keys are errors, because ignoring them
// would silently change answers.
//
// SQL templates reference the model in braces: {CUBE} is the alias of the
// cube being defined, {member} and {CUBE.member} its members, {other} another
// cube's alias (so {other}.column is a raw column) and {other.member} another
// cube's member. Cube's JavaScript spelling ${...} is accepted too. As in
// Cube, a member whose sql is a bare column (sql: status) means
// {CUBE}.status, so it stays unambiguous when cubes are joined.
//
// # Lifecycle
//
// A Repository yields the files (DirRepository reads a directory,
// MemoryRepository holds them in memory); Compile, or Load which does both,
// turns them into a Model in four passes: parse every file into cubes and
// members, recording each SQL template unresolved; index cubes by name;
// resolve joins and every template reference against the whole model; check
// reference cycles. Only a model with no problem at all is returned.
//
// # Invariants of a compiled Model
//
//   - It is immutable and safe for concurrent use; the planner keeps pointers
//     into it.
//   - Cube names are unique; within a cube, measures, dimensions and segments
//     share one namespace of unique identifiers, none of them __user or
//     __cubeJoinField (the extra columns of every cube table).
//   - Every template Part is resolved: a MemberPart points at a member of the
//     model, a CubePart at one of its cubes, and Join.To is never nil.
//   - Expanding member references always terminates (no cycles), a dimension,
//     segment, measure filter or join never references a measure, a number
//     measure references only measures, and any other measure references no
//     measure.
//
// # Errors
//
// Every problem is an *Error with its file, line and column. Compile keeps
// going after the first one and returns them all, sorted, as Errors inside a
// *pgerr.Error with SQLSTATE 42P17 whose message is the first problem, so the
// client sees where to look and `lattice validate` can print the full list
// (errors.As(err, &schema.Errors{})).
//
// # Tests
//
// compile_test.go holds one table case per invalid model: add the YAML and the
// exact "file:line:col: message" lines expected. testdata/compile/*.txt are
// golden files (cockroachdb/datadriven) that print the compiled structure of
// valid models; add a case there and run
// `go test ./schema -run Golden -rewrite`, then review the diff. testdata/shop is the three-cube fixture model used by the
// join and benchmark tests. FuzzLoad checks that no input panics and that
// every failure is a 42P17.
package schema

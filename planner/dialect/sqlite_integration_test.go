package dialect_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

// TestSQLiteAgreesWithPostgres plans every `plan` case of the planner's
// golden corpus (planner/testdata) for PostgreSQL and for SQLite, runs
// each on its backend loaded with the planner's fixture rows and compares
// the rows: numbers numerically (SQLite prints 10.5 where PostgreSQL
// prints 10.50), everything else as text.

const sqliteITDB = "lattice_test_dialect_sqlite"

// The planner's fixture (planner/integration_test.go), in each backend's
// types: SQLite keeps timestamps as ISO text and booleans as 1/0.
var (
	itDDL = []string{
		`CREATE TABLE organizations (id INT PRIMARY KEY, name VARCHAR(50), active {bool})`,
		`CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50), city VARCHAR(50), organization_id INT, signed_up_at {ts})`,
		`CREATE TABLE orders (id INT PRIMARY KEY, user_id INT, status VARCHAR(20), amount {dec}, created_at {ts}, is_gift {bool})`,
		`CREATE TABLE line_items (id INT PRIMARY KEY, order_id INT, product VARCHAR(20), quantity INT, price {dec})`,
	}
	itRows = []string{
		`INSERT INTO organizations VALUES (1, 'Acme', TRUE), (2, 'Globex', FALSE), (3, 'Initech', NULL)`,
		`INSERT INTO users VALUES
		(1, 'alice', 'Paris', 1, '2023-12-31 23:59:59'),
		(2, 'bob', 'Berlin', 1, '2024-01-01 00:00:00'),
		(3, 'carol', 'Paris', 2, '2024-03-15 12:30:00'),
		(4, 'dave', NULL, NULL, NULL),
		(5, 'erin', 'Lyon', 3, '2024-07-07 07:07:07')`,
		`INSERT INTO orders VALUES
		(1, 1, 'completed', 10.50, '2024-01-07 10:00:00', TRUE),
		(2, 1, 'completed', 200.00, '2024-01-08 11:15:30', FALSE),
		(3, 2, 'pending', 35.25, '2024-02-29 23:59:59', NULL),
		(4, 3, 'cancelled', 99.99, '2024-04-01 00:00:00', FALSE),
		(5, 3, 'completed', 150.00, '2024-06-30 18:45:00', TRUE),
		(6, NULL, 'pending', NULL, '2024-10-15 09:00:00', FALSE),
		(7, 2, NULL, 42.00, NULL, TRUE),
		(8, 5, 'completed', 0.01, '2024-12-31 23:59:59', FALSE)`,
		`INSERT INTO line_items VALUES
		(1, 1, 'apple', 2, 1.50), (2, 1, 'pear', 1, 7.50),
		(3, 2, 'apple', 10, 1.50), (4, 2, 'plum', 5, 37.00), (5, 2, 'fig', 1, 3.00),
		(6, 3, 'pear', 3, 11.75), (7, 4, 'apple', 1, 99.99),
		(8, 5, 'plum', 4, 37.50), (9, 8, 'fig', 1, 0.01), (10, 7, 'pear', 2, 21.00)`,
	}
)

// knownDifferences are golden cases (by their query) whose SQLite rows
// differ from PostgreSQL's, with the reason. The test fails when one of
// them starts to agree, so the list only shrinks.
var knownDifferences = map[string]string{
	// The planner writes CAST(x AS DATE) itself instead of asking the
	// dialect; SQLite's DATE affinity is NUMERIC, so the cast keeps only
	// the year. A Dialect.Date method would fix it (date(x) on SQLite).
	`SELECT CAST(DATE_TRUNC('MONTH', CAST("orders"."created_at" AS DATE)) AS DATE) AS "tmn:created_at:ok", SUM("orders"."total_amount") AS "sum:total_amount:ok" FROM "public"."orders" "orders" GROUP BY 1 ORDER BY 1`: "CAST(x AS DATE) is not a date on SQLite",

	`SELECT CAST(created_at AS date) AS d, MEASURE(count) FROM orders GROUP BY 1 ORDER BY 1`: "CAST(x AS DATE) is not a date on SQLite",

	// SQLite decimals have no scale: 42.00 is stored as 42, whose text is "42".
	`SELECT id FROM orders WHERE CAST(amount AS TEXT) = '42.00'`: "decimal text has no trailing zeros on SQLite",
}

func TestSQLiteAgreesWithPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test against PostgreSQL")
	}
	ctx := t.Context()
	pg := itPostgres(t, ctx)
	lite := itSQLite(t, ctx)
	m, err := schema.Load(ctx, schema.DirRepository{Root: "../testdata/model"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	ran, differ, seen := 0, map[string]bool{}, map[string]bool{}
	for _, path := range files {
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			if td.Cmd != "plan" {
				return td.Expected
			}
			oids := caseOIDs(td)
			pgPlan, err1 := planner.Plan(m, dialect.Postgres, td.Input, oids)
			litePlan, err2 := planner.Plan(m, dialect.SQLite, td.Input, oids)
			if err1 == nil && err2 != nil && pgerr.Code(err2) == pgerr.FeatureNotSupported &&
				strings.Contains(strings.ToUpper(td.Input), "AT TIME ZONE") {
				return td.Expected // SQLite has no zone data: refused by design
			}
			if (err1 == nil) != (err2 == nil) {
				t.Errorf("%s: postgres plan error %v, sqlite plan error %v", td.Pos, err1, err2)
				return td.Expected
			}
			if err1 != nil || len(pgPlan) != 1 || pgPlan[0].Kind != planner.KindBackend {
				return td.Expected
			}
			params := caseParams(td)
			if len(pgPlan[0].Args) > 0 && params == nil {
				return td.Expected
			}
			want, err := itQueryPostgres(ctx, pg, pgPlan[0], params)
			if err != nil {
				t.Errorf("%s: postgres: %v\n%s", td.Pos, err, pgPlan[0].SQL)
				return td.Expected
			}
			pos := filepath.Base(td.Pos)
			key := strings.TrimSpace(td.Input)
			got, err := itQuerySQLite(ctx, lite, litePlan[0], params)
			if err == nil && (!strings.Contains(strings.ToUpper(td.Input), "ORDER BY") || td.HasArg("ties")) {
				sortRows(want)
				sortRows(got)
			}
			ran++
			seen[key] = true
			same := err == nil && sameCells(want, got)
			if !same {
				differ[key] = true
			}
			_, known := knownDifferences[key]
			switch {
			case !same && !known && err != nil:
				t.Errorf("%s: %s\nsqlite: %v\n%s", pos, td.Input, err, litePlan[0].SQL)
			case !same && !known:
				t.Errorf("%s: %s\nrows differ (-postgres +sqlite):\n%s\npg:     %s\nsqlite: %s", pos, td.Input, cmp.Diff(want, got), pgPlan[0].SQL, litePlan[0].SQL)
			case same && known:
				t.Errorf("%s now agrees with PostgreSQL: remove it from knownDifferences", pos)
			}
			return td.Expected
		})
	}
	for q := range knownDifferences {
		if !seen[q] {
			t.Errorf("known difference %q is no longer a plan case of the corpus", q)
		}
	}
	if ran < 50 {
		t.Fatalf("only %d golden cases ran on both backends", ran)
	}
	t.Logf("%d golden cases ran; %d differ as listed", ran, len(differ))
}

func caseOIDs(td *datadriven.TestData) []uint32 {
	var oids []uint32
	for _, a := range td.CmdArgs {
		if a.Key == "oids" {
			for _, v := range a.Vals {
				n, _ := strconv.ParseUint(v, 10, 32)
				oids = append(oids, uint32(n))
			}
		}
	}
	return oids
}

func caseParams(td *datadriven.TestData) []string {
	for _, a := range td.CmdArgs {
		if a.Key == "params" {
			return a.Vals
		}
	}
	return nil
}

func sortRows(rows [][]string) {
	sort.Slice(rows, func(i, j int) bool { return strings.Join(rows[i], "\x00") < strings.Join(rows[j], "\x00") })
}

// sameCells compares rows; numbers by value, within float precision.
func sameCells(want, got [][]string) bool {
	return slices.EqualFunc(want, got, func(w, g []string) bool {
		return slices.EqualFunc(w, g, func(a, b string) bool {
			if a == b {
				return true
			}
			x, err1 := strconv.ParseFloat(a, 64)
			y, err2 := strconv.ParseFloat(b, 64)
			return err1 == nil && err2 == nil && math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(x))
		})
	})
}

func itPostgres(t *testing.T, ctx context.Context) *pgx.Conn {
	t.Helper()
	admin, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	for _, q := range []string{"DROP DATABASE IF EXISTS " + sqliteITDB + " WITH (FORCE)", "CREATE DATABASE " + sqliteITDB} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("postgres: %v", err)
		}
	}
	c, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/"+sqliteITDB+"?sslmode=disable&timezone=UTC")
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() {
		c.Close(context.Background())
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+sqliteITDB+" WITH (FORCE)"); err != nil {
			t.Errorf("drop postgres database: %v", err)
		}
	})
	r := strings.NewReplacer("{bool}", "BOOLEAN", "{ts}", "TIMESTAMP", "{dec}", "DECIMAL(10,2)")
	for _, q := range append(slices.Clone(itDDL), itRows...) {
		if _, err := c.Exec(ctx, r.Replace(q)); err != nil {
			t.Fatalf("postgres: %v", err)
		}
	}
	return c
}

func itSQLite(t *testing.T, ctx context.Context) driver.Driver {
	t.Helper()
	file := filepath.Join(t.TempDir(), "fixture.db")
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rwc")
	if err != nil {
		t.Fatal(err)
	}
	r := strings.NewReplacer("{bool}", "BOOLEAN", "{ts}", "TEXT", "{dec}", "DECIMAL(10,2)")
	for _, q := range append(slices.Clone(itDDL), itRows...) {
		if _, err := db.ExecContext(ctx, r.Replace(q)); err != nil {
			t.Fatalf("sqlite: %s: %v", q, err)
		}
	}
	db.Close()
	d, err := driver.Open(driver.Config{Type: "sqlite", Database: file})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

func itQueryPostgres(ctx context.Context, c *pgx.Conn, st *planner.Statement, params []string) ([][]string, error) {
	vals := make([][]byte, len(st.Args))
	oids := make([]uint32, len(st.Args))
	for i, a := range st.Args {
		vals[i] = []byte(params[a])
		if a < len(st.ParamOIDs) {
			oids[i] = st.ParamOIDs[a]
		}
	}
	res := c.PgConn().ExecParams(ctx, st.SQL, vals, oids, nil, nil).Read()
	if res.Err != nil {
		return nil, res.Err
	}
	rows := [][]string{}
	for _, r := range res.Rows {
		rows = append(rows, textRow(r))
	}
	return rows, nil
}

// itQuerySQLite passes parameters as the proxy decodes them from the
// client's text: integers, booleans and timestamps typed, others as text.
func itQuerySQLite(ctx context.Context, d driver.Driver, st *planner.Statement, params []string) ([][]string, error) {
	args := make([]any, len(st.Args))
	for i, a := range st.Args {
		p := params[a]
		args[i] = p
		if a >= len(st.ParamOIDs) {
			continue
		}
		switch st.ParamOIDs[a] {
		case pgtype.Int8OID, pgtype.Int4OID, pgtype.Int2OID:
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, err
			}
			args[i] = n
		case pgtype.BoolOID:
			args[i] = p == "t" || p == "true"
		case pgtype.TimestampOID:
			ts, err := parseTime(p)
			if err != nil {
				return nil, err
			}
			args[i] = ts
		}
	}
	rows := [][]string{}
	err := d.Query(ctx, st.SQL, args, func(vals [][]byte) error {
		rows = append(rows, textRow(vals))
		return nil
	})
	return rows, err
}

func parseTime(s string) (time.Time, error) {
	for _, l := range []string{"2006-01-02 15:04:05", "2006-01-02"} {
		if ts, err := time.Parse(l, s); err == nil {
			return ts, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a timestamp: %q", s)
}

func textRow(r [][]byte) []string {
	row := make([]string, len(r))
	for i, v := range r {
		if v == nil {
			row[i] = "NULL"
		} else {
			row[i] = string(v)
		}
	}
	return row
}

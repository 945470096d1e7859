package planner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	_ "github.com/go-sql-driver/mysql"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
)

const integrationDB = "lattice_test_planner"

// The fixture tables, with {bool} and {ts} for the types that differ.
var fixtureDDL = []string{
	`CREATE TABLE organizations (id INT PRIMARY KEY, name VARCHAR(50), active {bool})`,
	`CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50), city VARCHAR(50), organization_id INT, signed_up_at {ts})`,
	`CREATE TABLE orders (id INT PRIMARY KEY, user_id INT, status VARCHAR(20), amount DECIMAL(10,2), created_at {ts}, is_gift {bool})`,
	`CREATE TABLE line_items (id INT PRIMARY KEY, order_id INT, product VARCHAR(20), quantity INT, price DECIMAL(10,2))`,
}

// fixtureRows cover the cases that break naive SQL: NULLs, a user without
// orders, an order without line items, several line items per order, a
// Sunday and a Monday, every quarter, equal sort keys, strings equal but
// for case ('Alice', 'acme', 'Apple'), which MySQL's default collation
// would merge (not in columns that model SQL compares, such as status:
// that SQL runs as written, case-insensitively on MySQL).
var fixtureRows = []string{
	`INSERT INTO organizations VALUES (1, 'Acme', TRUE), (2, 'Globex', FALSE), (3, 'Initech', NULL), (4, 'acme', TRUE)`,
	`INSERT INTO users VALUES
		(1, 'alice', 'Paris', 1, '2023-12-31 23:59:59'),
		(2, 'bob', 'Berlin', 1, '2024-01-01 00:00:00'),
		(3, 'carol', 'Paris', 2, '2024-03-15 12:30:00'),
		(4, 'dave', NULL, NULL, NULL),
		(5, 'erin', 'Lyon', 3, '2024-07-07 07:07:07'),
		(6, 'Alice', 'Lyon', 4, '2024-08-08 08:08:08')`,
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
		(8, 5, 'plum', 4, 37.50), (9, 8, 'fig', 1, 0.01), (10, 7, 'pear', 2, 21.00),
		(11, 8, 'Apple', 1, 2.00)`,
}

// TestIntegration runs the generated SQL of every golden plan case on
// PostgreSQL and MariaDB and checks both return the same rows.
func TestIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test against PostgreSQL and MariaDB")
	}
	ctx := t.Context()
	pgConn, my := testDatabases(t, ctx, integrationDB, fixtureDDL, fixtureRows)
	m := fixtureModel(t)

	t.Run("exact", func(t *testing.T) { checkReferences(t, ctx, pgConn, m) })

	// Every plan case either runs on both backends or is an error or a
	// local/utility statement on both: nothing is skipped silently.
	// Failures are collected because datadriven stops a file at its first.
	var failures []string
	fail := func(format string, args ...any) { failures = append(failures, fmt.Sprintf(format, args...)) }
	ran, other := 0, 0
	for _, path := range goldenFiles(t) {
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			if td.Cmd != "plan" {
				return td.Expected
			}
			pgPlan, err1 := Plan(m, dialect.Postgres, td.Input, declaredOIDs(td))
			myPlan, err2 := Plan(m, dialect.MySQL, td.Input, declaredOIDs(td))
			switch {
			case (err1 == nil) != (err2 == nil):
				fail("%s: planned on one backend only: postgres %v, mysql %v", td.Pos, err1, err2)
				return td.Expected
			case err1 != nil:
				other++
				return td.Expected
			case len(pgPlan) != len(myPlan):
				fail("%s: %d statements on postgres, %d on mysql", td.Pos, len(pgPlan), len(myPlan))
				return td.Expected
			}
			backend := 0
			for i := range pgPlan {
				if pgPlan[i].Kind != myPlan[i].Kind {
					fail("%s: statement %d is a backend query on one backend only", td.Pos, i)
				}
				if pgPlan[i].Kind != KindBackend {
					continue
				}
				backend++
				params := caseParams(td)
				code, pgError := td.Arg("pgerror")
				if pgError && params == nil {
					// Any value: PostgreSQL refuses the statement's types.
					params = make([]string, len(pgPlan[i].ParamOIDs))
					for j := range params {
						params[j] = "0"
					}
				}
				if len(pgPlan[i].Args) > 0 && params == nil {
					fail("%s: the query has parameters: give params= values", td.Pos)
					continue
				}
				want, err := queryPostgres(ctx, pgConn, pgPlan[i], params)
				if pgError {
					// The client declared a parameter type PostgreSQL
					// cannot compare, as it would refuse it itself.
					if e := (*pgconn.PgError)(nil); !errors.As(err, &e) || e.Code != code.Vals[0] {
						fail("%s: postgres: want error %s, got %v", td.Pos, code.Vals[0], err)
					}
					continue
				}
				if err != nil {
					fail("%s: postgres: %v\n%s", td.Pos, err, pgPlan[i].SQL)
					continue
				}
				got, err := queryMariaDB(ctx, my, myPlan[i], params)
				if err != nil {
					fail("%s: mariadb: %v\n%s", td.Pos, err, myPlan[i].SQL)
					continue
				}
				if !strings.Contains(strings.ToUpper(td.Input), "ORDER BY") || td.HasArg("ties") {
					sortRows(want)
					sortRows(got)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					fail("%s: %s\nrows differ (-postgres +mariadb):\n%s\npg: %s\nmy: %s", td.Pos, td.Input, diff, pgPlan[i].SQL, myPlan[i].SQL)
				}
			}
			if backend == 0 {
				other++
				return td.Expected
			}
			ran++
			return td.Expected
		})
	}
	for _, f := range failures {
		t.Error(f)
	}
	if ran < 10 {
		t.Fatalf("only %d golden cases ran against the databases", ran)
	}
	t.Logf("%d golden cases agree on PostgreSQL and MariaDB (%d are errors or answered by Lattice)", ran, other)
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

// queryPostgres runs st in the text format, as the proxy's driver does.
func queryPostgres(ctx context.Context, c *pgx.Conn, st *Statement, params []string) ([][]string, error) {
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
		row := make([]string, len(r))
		for i, v := range r {
			if v == nil {
				row[i] = "NULL"
			} else {
				row[i] = string(v)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func queryMariaDB(ctx context.Context, db *sql.DB, st *Statement, params []string) ([][]string, error) {
	args := make([]any, len(st.Args))
	for i, a := range st.Args {
		args[i] = params[a]
		// The proxy passes decoded values: integers for int8 parameters.
		if a < len(st.ParamOIDs) && st.ParamOIDs[a] == oidInt8 {
			n, err := strconv.ParseInt(params[a], 10, 64)
			if err != nil {
				return nil, err
			}
			args[i] = n
		}
		if a < len(st.ParamOIDs) && st.ParamOIDs[a] == oidBool {
			args[i] = params[a] == "t" || params[a] == "true"
		}
	}
	rs, err := db.QueryContext(ctx, st.SQL, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	rows := [][]string{}
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			if v.Valid {
				row[i] = v.String
			} else {
				row[i] = "NULL"
			}
		}
		rows = append(rows, row)
	}
	return rows, rs.Err()
}

// references pair semantic queries whose joins fan out with SQL written by
// hand on the raw tables: the differential check above cannot see a wrong
// answer that both backends share.
var references = []struct{ semantic, reference string }{
	{`SELECT orders.status, MEASURE(users.count) FROM orders CROSS JOIN users GROUP BY 1`,
		`SELECT o.status, COUNT(DISTINCT u.id) FROM orders o LEFT JOIN users u ON o.user_id = u.id GROUP BY 1`},
	{`SELECT orders.status, MEASURE(orders.total_amount), MEASURE(orders.count), MEASURE(line_items.quantity) FROM orders CROSS JOIN line_items GROUP BY 1`,
		`SELECT o.status, SUM(o.amount), COUNT(*), (SELECT SUM(li.quantity) FROM line_items li JOIN orders o2 ON li.order_id = o2.id
			WHERE o2.status IS NOT DISTINCT FROM o.status) FROM orders o GROUP BY o.status`},
	{`SELECT line_items.product, MEASURE(orders.total_amount), MEASURE(orders.count) FROM orders CROSS JOIN line_items GROUP BY 1`,
		`SELECT p, SUM(amount), COUNT(*) FROM (SELECT DISTINCT li.product AS p, o.id, o.amount FROM orders o LEFT JOIN line_items li ON li.order_id = o.id) x GROUP BY p`},
	{`SELECT organizations.name, MEASURE(orders.count), MEASURE(users.count) FROM orders CROSS JOIN users CROSS JOIN organizations GROUP BY 1`,
		`SELECT g.name, COUNT(o.id), COUNT(DISTINCT u.id) FROM orders o LEFT JOIN users u ON o.user_id = u.id
			LEFT JOIN organizations g ON u.organization_id = g.id GROUP BY g.name`},
	{`SELECT MEASURE(orders.total_amount), MEASURE(line_items.count) FROM orders CROSS JOIN line_items`,
		`SELECT (SELECT SUM(amount) FROM orders), (SELECT COUNT(*) FROM line_items li JOIN orders o ON li.order_id = o.id)`},
	{`SELECT users.city, MEASURE(users.count), MEASURE(orders.total_amount), MEASURE(line_items.quantity), MEASURE(orders.completed_ratio)
		FROM orders CROSS JOIN users CROSS JOIN line_items GROUP BY 1`,
		`SELECT u.city, COUNT(DISTINCT u.id),
			(SELECT SUM(o2.amount) FROM orders o2 LEFT JOIN users u2 ON o2.user_id = u2.id WHERE u2.city IS NOT DISTINCT FROM u.city),
			SUM(li.quantity),
			(SELECT CAST(1.0 * COUNT(*) FILTER (WHERE o2.status = 'completed') / COUNT(*) AS NUMERIC(65,10)) FROM orders o2
				LEFT JOIN users u2 ON o2.user_id = u2.id WHERE u2.city IS NOT DISTINCT FROM u.city)
		FROM orders o LEFT JOIN users u ON o.user_id = u.id LEFT JOIN line_items li ON li.order_id = o.id GROUP BY u.city`},
	{`SELECT u.name, MEASURE(o.count), MEASURE(u.count) FROM users u LEFT JOIN orders o ON u.__cubeJoinField = o.__cubeJoinField GROUP BY 1`,
		`SELECT u.name, COUNT(o.id), COUNT(DISTINCT u.id) FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY 1`},
}

func checkReferences(t *testing.T, ctx context.Context, c *pgx.Conn, m *schema.Model) {
	for _, r := range references {
		sts, err := Plan(m, dialect.Postgres, r.semantic, nil)
		if err != nil {
			t.Errorf("%s: %v", r.semantic, err)
			continue
		}
		got, err := queryPostgres(ctx, c, sts[0], nil)
		if err != nil {
			t.Errorf("%s: %v\n%s", r.semantic, err, sts[0].SQL)
			continue
		}
		want, err := queryPostgres(ctx, c, &Statement{SQL: r.reference}, nil)
		if err != nil {
			t.Fatalf("reference %s: %v", r.reference, err)
		}
		sortRows(got)
		sortRows(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: wrong answer (-reference +lattice):\n%s\n%s", r.semantic, diff, sts[0].SQL)
		}
	}
}

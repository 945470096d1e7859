package proxy

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/tenancy"
)

const ordersModel = `
cubes:
  - name: orders
    sql_table: orders
    measures:
      - name: count
        type: count
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: status
        sql: status
        type: string
`

// recordingDriver answers every backend query with the same grouped rows
// and records the SQL and arguments it was given.
type recordingDriver struct {
	mu   sync.Mutex
	sql  []string
	args [][]any
}

func (d *recordingDriver) Query(ctx context.Context, sql string, args []any, row func([][]byte) error) error {
	d.mu.Lock()
	d.sql = append(d.sql, sql)
	d.args = append(d.args, args)
	d.mu.Unlock()
	for _, r := range [][][]byte{{[]byte("new"), []byte("1")}, {[]byte("shipped"), []byte("3")}} {
		if err := row(r); err != nil {
			return err
		}
	}
	return nil
}
func (d *recordingDriver) Ping(context.Context) error { return nil }
func (d *recordingDriver) Close()                     {}

type modelResolver struct {
	model  *schema.Model
	driver *recordingDriver
}

func (r modelResolver) Resolve(context.Context, *tenancy.Context) (*tenancy.Tenant, error) {
	return &tenancy.Tenant{App: &tenancy.App{ID: "APP", Model: r.model}, DBType: "postgres", Driver: r.driver}, nil
}

// TestRealPlanner runs the default planner.Plan behind the proxy.
func TestRealPlanner(t *testing.T) {
	model, err := schema.Load(t.Context(), schema.MemoryRepository{"orders.yml": ordersModel})
	if err != nil {
		t.Fatal(err)
	}
	d := &recordingDriver{}
	s, err := New(Options{}, fakeAuth{}, modelResolver{model, d})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	ts := &testServer{Server: s, addr: ln.Addr().String()}
	ctx := ctx5s(t)

	conn, err := pgx.Connect(ctx, ts.connString("good"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	type row struct {
		Status string
		Count  int64
	}
	for _, tc := range []struct {
		sql  string
		args []any
	}{
		{"SELECT status, MEASURE(count) FROM orders GROUP BY 1", nil},
		{"SELECT status, MEASURE(count) FROM orders WHERE status <> $1 GROUP BY 1", []any{"lost"}},
	} {
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
			rows, err := conn.Query(ctx, tc.sql, append([]any{mode}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
			if err != nil {
				t.Fatalf("%s (mode %v): %v", tc.sql, mode, err)
			}
			if diff := cmp.Diff([]row{{"new", 1}, {"shipped", 3}}, got); diff != "" {
				t.Errorf("%s (mode %v) (-want +got):\n%s", tc.sql, mode, diff)
			}
		}
	}
	d.mu.Lock()
	if len(d.sql) != 4 || !strings.Contains(d.sql[0], `"orders".status`) {
		t.Errorf("backend SQL = %q", d.sql)
	}
	if diff := cmp.Diff([]any{"lost"}, d.args[2]); diff != "" {
		t.Errorf("backend args (-want +got):\n%s", diff)
	}
	d.mu.Unlock()

	pc := conn.PgConn()
	results, err := pc.Exec(ctx, "SELECT 1; SET application_name = 'bi'; BEGIN; SHOW application_name; COMMIT").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, r := range results {
		tags = append(tags, r.CommandTag.String())
	}
	if diff := cmp.Diff([]string{"SELECT 1", "SET", "BEGIN", "SHOW", "COMMIT"}, tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if got := string(results[3].Rows[0][0]); got != "bi" {
		t.Errorf("SHOW application_name = %q", got)
	}
	if got := pc.ParameterStatus("application_name"); got != "bi" {
		t.Errorf("reported application_name = %q", got)
	}
	_, err = pc.Exec(ctx, "SELECT status FROM nowhere").ReadAll()
	if !strings.Contains(pgCode(err), "42P01") {
		t.Errorf("unknown table: %v", err)
	}
}

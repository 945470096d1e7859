package httpapi

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/examples/seed"
	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/tenancy"
)

// sqlInterface asks a question in semantic SQL, as a pgwire client would:
// the same planner and driver, no HTTP. Rows come back as text.
func sqlInterface(t *testing.T, e *env, tn seed.Tenant, sql string) [][]string {
	t.Helper()
	claims, _, err := mustVerifier(t).Verify(tokenFor(t, tn))
	if err != nil {
		t.Fatal(err)
	}
	ten, err := e.manager.Resolve(t.Context(), &tenancy.Context{AuthInfo: claims})
	if err != nil {
		t.Fatal(err)
	}
	defer ten.Release()
	d, err := dialect.ForDBType(ten.DBType)
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := planner.Plan(ten.App.Model, d, sql, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	err = ten.Driver.Query(t.Context(), stmts[0].SQL, nil, func(vals [][]byte) error {
		r := make([]string, len(vals))
		for i, v := range vals {
			r[i] = string(v)
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func mustVerifier(t *testing.T) *tenancy.Verifier {
	v, err := tenancy.NewVerifier(tenancy.VerifierOptions{Secret: []byte(testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCubeJSClient drives the real @cubejs-client/core from npm against
// the API for a tenant on each backend and checks that it gets the same
// numbers as the SQL interface.
func TestCubeJSClient(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join(seedDir(), "..", "..", "testdata", "cubejs-client"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@cubejs-client", "core")); err != nil {
		t.Fatalf("@cubejs-client/core is not installed (run npm install --no-audit --no-fund in %s): %v", dir, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is required: %v", err)
	}
	e := newEnv(t)
	queries := map[string]any{"load": map[string]any{
		"byStatus": map[string]any{"measures": []string{"orders.count", "orders.total_amount"}, "dimensions": []string{"orders.status"},
			"order": map[string]string{"orders.status": "asc"}},
		"byMonth": map[string]any{"measures": []string{"orders.count"},
			"timeDimensions": []any{map[string]any{"dimension": "orders.created_at", "granularity": "month", "dateRange": []string{"2024-01-01", "2024-12-31"}}}},
		"unknown": map[string]any{"measures": []string{"orders.nope"}},
	}}
	qfile := filepath.Join(t.TempDir(), "queries.json")
	b, _ := json.Marshal(queries)
	if err := os.WriteFile(qfile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tn := range []seed.Tenant{pgTenant, myTenant} {
		t.Run(tn.DBType, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, "client.mjs", e.srv.URL+"/cubejs-api/v1", tokenFor(t, tn), qfile)
			cmd.Dir = dir
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node client: %v\n%s", err, stderr.String())
			}
			var res struct {
				Load map[string]struct {
					Rows   []map[string]any `json:"rows"`
					Series []string         `json:"series"`
				} `json:"load"`
				Meta []struct {
					Name     string   `json:"name"`
					Measures []string `json:"measures"`
				} `json:"meta"`
				Errors map[string]struct {
					Status  int    `json:"status"`
					Message string `json:"message"`
				} `json:"errors"`
				SQL    bool   `json:"sql"`
				DryRun string `json:"dryRun"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("client output %s: %v", out, err)
			}

			// By status: the client's numbers equal the SQL interface's.
			var want []map[string]any
			for _, r := range sqlInterface(t, e, tn, "SELECT status, MEASURE(count), MEASURE(total_amount) FROM orders GROUP BY 1 ORDER BY 1") {
				want = append(want, map[string]any{"orders.status": r[0], "orders.count": r[1], "orders.total_amount": r[2]})
			}
			if diff := cmp.Diff(want, res.Load["byStatus"].Rows); diff != "" {
				t.Errorf("byStatus: client vs SQL interface (-sql +client):\n%s", diff)
			}

			// By month, through the client's time handling.
			// The client fills the months of the date range that have no
			// rows with 0, as it does against Cube.
			byMonth := map[string]any{}
			for _, r := range sqlInterface(t, e, tn, "SELECT DATE_TRUNC('month', created_at), MEASURE(count) FROM orders WHERE created_at >= '2024-01-01' AND created_at < '2025-01-01' GROUP BY 1 ORDER BY 1") {
				byMonth[strings.Replace(r[0], " ", "T", 1)+".000"] = r[1]
			}
			if len(byMonth) == 0 {
				t.Error("the SQL interface returned no months")
			}
			want = nil
			for m := time.January; m <= time.December; m++ {
				ts := time.Date(2024, m, 1, 0, 0, 0, 0, time.UTC).Format(cubeTime)
				n, ok := byMonth[ts]
				if !ok {
					n = float64(0)
				}
				want = append(want, map[string]any{"orders.created_at.month": ts, "orders.count": n})
			}
			if diff := cmp.Diff(want, res.Load["byMonth"].Rows); diff != "" {
				t.Errorf("byMonth: client vs SQL interface (-sql +client):\n%s", diff)
			}

			if e := res.Errors["unknown"]; e.Status != 400 || !strings.Contains(e.Message, "not found") {
				t.Errorf("unknown member: the client got %+v, want a 400", e)
			}
			var cubes []string
			for _, c := range res.Meta {
				cubes = append(cubes, c.Name)
			}
			sort.Strings(cubes)
			if !cmp.Equal(cubes, []string{"orders", "users"}) {
				t.Errorf("meta cubes: %v", cubes)
			}
			if !res.SQL || res.DryRun != "regularQuery" {
				t.Errorf("sql/dry-run through the client: %v %q (errors %v)", res.SQL, res.DryRun, res.Errors)
			}
		})
	}
}

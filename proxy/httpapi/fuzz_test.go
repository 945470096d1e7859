package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

// FuzzCompile feeds arbitrary query text through parse, compile and the
// planner: every failure must be a client-facing *pgerr.Error that maps to
// 400 (never a panic or an internal error), and whatever compiles must
// plan on both dialects without the client's values in the SQL text.
func FuzzCompile(f *testing.F) {
	m := seedModel(f)
	for _, s := range []string{
		`{"measures":["orders.count"],"dimensions":["orders.status"]}`,
		`{"measures":["orders.count"],"filters":[{"or":[{"member":"orders.status","operator":"contains","values":["a%"]},{"member":"orders.amount","operator":"gt","values":[3]}]}]}`,
		`{"measures":["orders.total_amount"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"week","dateRange":"last 3 weeks"}],"order":{"orders.total_amount":"desc"}}`,
		`{"dimensions":["orders.created_at.month","users.city"],"segments":["orders.completed"],"limit":3,"offset":1}`,
		`{"measures":["orders.count"],"filters":[{"member":"orders.created_at","operator":"inDateRange","values":["2024-01-01","2024-02-01"]}],"ungrouped":true}`,
		`[{"measures":["orders.count"]},{"measures":["users.count"]}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		req, err := parseQuery([]byte(s))
		if err != nil {
			checkClientErr(t, s, err)
			return
		}
		for _, q := range req.Queries {
			c, err := compile(m, q, fixedNow)
			if err != nil {
				checkClientErr(t, s, err)
				continue
			}
			for _, p := range c.params {
				if p != nil && len(*p) > 3 && strings.Contains(c.sql, *p) && !strings.Contains(s, "\""+*p+"\"") {
					t.Fatalf("value %q leaked into SQL %q", *p, c.sql)
				}
			}
			for _, d := range []dialect.Dialect{dialect.Postgres, dialect.MySQL} {
				stmts, err := planner.Plan(m, d, c.sql, nil)
				if err != nil {
					if Status(err) >= http.StatusInternalServerError && pgerr.Code(err) != pgerr.InvalidObjectDefinition {
						t.Fatalf("%s: compiled SQL %q fails to plan with %v", s, c.sql, err)
					}
					continue
				}
				if _, err := bindArgs(stmts[0], c.params); err != nil {
					checkClientErr(t, s, err)
				}
			}
		}
	})
}

func checkClientErr(t *testing.T, in string, err error) {
	t.Helper()
	var pe *pgerr.Error
	if !errorsAs(err, &pe) || Status(err) != http.StatusBadRequest {
		t.Fatalf("%q: want a 400 *pgerr.Error, got %T %v (status %d)", in, err, err, Status(err))
	}
}

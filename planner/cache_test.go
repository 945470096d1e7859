package planner

import (
	"testing"

	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
)

func TestCacheSharesOnlyIdenticalPlans(t *testing.T) {
	m := fixtureModel(t)
	other, err := schema.Compile([]schema.File{{Name: "o.yml", Content: []byte("cubes:\n  - name: orders\n    sql_table: other_orders\n    measures:\n      - name: count\n        type: count\n")}})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCache(2)
	const q = "SELECT MEASURE(count) FROM orders"
	a, err := c.Plan(m, dialect.Postgres, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Plan(m, dialect.Postgres, q, nil)
	if a[0] != b[0] {
		t.Error("the same query on the same model was planned twice")
	}
	// Another model (another tenant's App) or another dialect never gets
	// this plan.
	o, _ := c.Plan(other, dialect.Postgres, q, nil)
	if o[0] == a[0] || o[0].SQL == a[0].SQL {
		t.Errorf("another model got the cached plan: %s", o[0].SQL)
	}
	my, _ := c.Plan(m, dialect.MySQL, q, nil)
	if my[0] == a[0] {
		t.Error("another dialect got the cached plan")
	}
	if c.Len() != 2 {
		t.Errorf("cache holds %d plans, want its bound 2", c.Len())
	}
	if _, err := c.Plan(m, dialect.Postgres, "SELECT nope FROM orders", nil); err == nil {
		t.Error("bad SQL planned")
	}
}

// BenchmarkPlanCached is BenchmarkPlan for the SQL a client sends again:
// the cost once the plan cache holds it.
func BenchmarkPlanCached(b *testing.B) {
	m := fixtureModel(b)
	var queries []string // the corpus less its error cases, which are not cached
	for _, q := range goldenInputs(b) {
		if _, err := Plan(m, dialect.Postgres, q, nil); err == nil {
			queries = append(queries, q)
		}
	}
	c := NewCache(len(queries) + 1)
	b.ReportAllocs()
	for b.Loop() {
		for _, q := range queries {
			c.Plan(m, dialect.Postgres, q, nil)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(queries)), "ns/query")
}

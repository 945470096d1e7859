package planner

import (
	"slices"
	"testing"
	"time"

	"github.com/lattice-sql/lattice/planner/dialect"
)

// BenchmarkPlan plans the whole golden corpus (parse included) per
// iteration and reports the time per query; the model is compiled once.
func BenchmarkPlan(b *testing.B) {
	m := fixtureModel(b)
	queries := goldenInputs(b)
	for _, d := range []dialect.Dialect{dialect.Postgres, dialect.MySQL} {
		b.Run(d.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, q := range queries {
					Plan(m, d, q, nil)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(queries)), "ns/query")
		})
	}
}

// BenchmarkPlanMedian reports the median over the corpus of each query's
// mean planning time.
func BenchmarkPlanMedian(b *testing.B) {
	m := fixtureModel(b)
	queries := goldenInputs(b)
	per := make([]time.Duration, len(queries))
	for b.Loop() {
		for i, q := range queries {
			start := time.Now()
			Plan(m, dialect.Postgres, q, nil)
			per[i] += time.Since(start)
		}
	}
	slices.Sort(per)
	b.ReportMetric(float64(per[len(per)/2].Nanoseconds())/float64(b.N), "median-ns/query")
}

package planner

import (
	"slices"
	"testing"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v5"

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

// BenchmarkParse is the pg_query share of BenchmarkPlan: parsing the corpus
// alone, to tell the planner's own cost from the parser's.
func BenchmarkParse(b *testing.B) {
	queries := goldenInputs(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, q := range queries {
			pg_query.Parse(q)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(queries)), "ns/query")
}

// BenchmarkPlanParsed is the planner's own cost: the corpus planned from
// trees parsed once, outside the loop.
func BenchmarkPlanParsed(b *testing.B) {
	m := fixtureModel(b)
	var trees []*pg_query.ParseResult
	var texts []string
	for _, q := range goldenInputs(b) {
		if t, err := pg_query.Parse(q); err == nil {
			trees = append(trees, t)
			texts = append(texts, q)
		}
	}
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i, t := range trees {
			p := &planner{m: m, d: dialect.Postgres, sql: texts[i]}
			for _, raw := range t.Stmts {
				p.statement(raw.Stmt)
				n++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/stmt")
}

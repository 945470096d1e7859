package catalog

import (
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v5"
)

// corpusGroup returns the corpus queries whose name has the prefix, with
// {{oid:...}} placeholders bound to the snapshot's OIDs.
func corpusGroup(b *testing.B, s *snapshot, prefix string) []corpusQuery {
	_, rels := latticeOIDs(s)
	var out []corpusQuery
	for _, q := range loadCorpus(b) {
		if strings.HasPrefix(q.name, prefix) {
			q.sql = substituteOIDs(q.sql, rels)
			out = append(out, q)
		}
	}
	if len(out) == 0 {
		b.Fatalf("no corpus query named %q", prefix)
	}
	return out
}

// BenchmarkCatalog answers psql's \d orders queries and pgjdbc's
// getColumns against a 20-cube model: plan (from a parsed statement) and
// compute the rows, as the proxy does for each execution.
func BenchmarkCatalog(b *testing.B) {
	m := bigModel(20)
	s := snapshotOf(m)
	sess := testSession()
	for _, bc := range []struct{ name, prefix string }{
		{"psql_d_orders", `psql \d orders #`},
		{"pgjdbc_getColumns", "pgjdbc #5"},
		{"pgjdbc_getColumns_all", "pgjdbc #6"},
		{"pgjdbc_getTables", "pgjdbc #3"},
		{"pgjdbc_getPrimaryKeys", "pgjdbc #7"},
	} {
		qs := corpusGroup(b, s, bc.prefix)
		stmts := make([]*pg_query.Node, len(qs))
		for i, q := range qs {
			tree, err := pg_query.Parse(q.sql)
			if err != nil {
				b.Fatal(err)
			}
			stmts[i] = tree.Stmts[0].Stmt
		}
		run := func(b *testing.B) {
			for _, st := range stmts {
				res, err := Plan(m, st, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := res.Rows(sess, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				run(b)
			}
			b.ReportMetric(float64(len(stmts)), "queries/op")
		})
		// A prepared statement plans once and executes many times.
		b.Run(bc.name+"/execute", func(b *testing.B) {
			results := make([]*Result, len(stmts))
			for i, st := range stmts {
				res, err := Plan(m, st, nil)
				if err != nil {
					b.Fatal(err)
				}
				results[i] = res
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, res := range results {
					if _, err := res.Rows(sess, nil); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

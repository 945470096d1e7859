package catalog

import (
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// FuzzPlan feeds arbitrary SELECTs to Plan and Rows: they must return rows
// or a *pgerr.Error, never panic (the recover net reports XX000, which the
// fuzzer treats as a failure).
func FuzzPlan(f *testing.F) {
	for _, q := range loadCorpus(f) {
		f.Add(oidPlaceholder.ReplaceAllString(q.sql, "16384"))
	}
	f.Fuzz(func(t *testing.T, sql string) {
		tree, err := pg_query.Parse(sql)
		if err != nil || len(tree.Stmts) != 1 || tree.Stmts[0].Stmt.GetSelectStmt() == nil {
			return
		}
		if strings.Contains(strings.ToLower(sql), "generate_series") {
			return // may legitimately produce huge results
		}
		res, err := Plan(sharedFixture, tree.Stmts[0].Stmt, nil)
		if err == nil {
			_, err = res.Rows(testSession(), nil)
		}
		if err != nil && pgerr.Code(err) == pgerr.InternalError {
			t.Fatalf("%s: %v", sql, err)
		}
	})
}

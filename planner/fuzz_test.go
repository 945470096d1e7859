package planner

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// goldenInputs returns the SQL of every golden case.
func goldenInputs(tb testing.TB) []string {
	var out []string
	for _, path := range goldenFiles(tb) {
		data, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		// Cases are "plan ...\n<sql>\n----\n<expected>\n\n".
		for _, block := range strings.Split(string(data), "\n\n") {
			lines := strings.Split(strings.TrimSpace(block), "\n")
			if len(lines) == 0 || !strings.HasPrefix(lines[0], "plan") {
				continue
			}
			var sql []string
			for _, l := range lines[1:] {
				if l == "----" {
					break
				}
				sql = append(sql, l)
			}
			out = append(out, strings.Join(sql, "\n"))
		}
	}
	return out
}

// FuzzPlan: arbitrary SQL never panics and every error carries a SQLSTATE
// other than XX000.
func FuzzPlan(f *testing.F) {
	m := fixtureModel(f)
	for _, s := range goldenInputs(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		for _, d := range dialects {
			sts, err := Plan(m, d, sql, nil)
			if err != nil {
				var pe *pgerr.Error
				if !errors.As(err, &pe) {
					t.Fatalf("%q: error is %T, not *pgerr.Error: %v", sql, err, err)
				}
				if pe.Code == pgerr.InternalError || len(pe.Code) != 5 {
					t.Fatalf("%q: SQLSTATE %q: %v", sql, pe.Code, err)
				}
				continue
			}
			if len(sts) == 0 {
				t.Fatalf("%q: no statements and no error", sql)
			}
		}
	})
}

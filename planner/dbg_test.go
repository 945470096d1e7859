package planner
import ("testing";"os";"strings";"path/filepath";"github.com/lattice-sql/lattice/planner/dialect")
func TestDbgCover(t *testing.T){
	m := fixtureModel(t)
	have := map[string]bool{}
	files, _ := filepath.Glob("testdata/differential/*.txt")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, blk := range strings.Split(string(b), "\ndiff") {
			lines := strings.Split(blk, "\n")
			if len(lines) > 1 { have[strings.TrimSpace(lines[1])] = true }
		}
	}
	n := 0
	for _, q := range goldenInputs(t) {
		sts, err := Plan(m, dialect.Postgres, q, nil)
		if err != nil || len(sts) != 1 || sts[0].Kind != KindBackend { continue }
		if !have[strings.TrimSpace(q)] { n++; t.Log(q) }
	}
	t.Log("uncovered", n)
}

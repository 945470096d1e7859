package catalog

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	pg_query "github.com/pganalyze/pg_query_go/v5"
)

// TestCubeColumn checks that CubeColumn names every cube column exactly as
// pg_class and pg_attribute do, so that a result column's origin resolves
// through the catalog a client reads.
func TestCubeColumn(t *testing.T) {
	m := sharedFixture
	tree, err := pg_query.Parse(`SELECT c.relname::text, a.attname::text, a.attrelid::int8, a.attnum::int8
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = 2200 AND c.relkind = 'r' AND a.attnum > 0 ORDER BY 1, 4`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Plan(m, tree.Stmts[0].Stmt, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := res.Rows(&Session{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	type col struct {
		Cube, Member string
		OID          uint32
		AttNum       int16
	}
	var want, got []col
	for _, r := range rows {
		want = append(want, col{r[0].(string), r[1].(string), uint32(r[2].(int64)), int16(r[3].(int64))})
	}
	for _, c := range m.Cubes {
		var names []string
		for _, x := range c.Measures {
			names = append(names, x.Name)
		}
		for _, x := range c.Dimensions {
			names = append(names, x.Name)
		}
		for _, x := range c.Segments {
			names = append(names, x.Name)
		}
		for _, name := range append(names, "__user", "__cubeJoinField") {
			oid, n := CubeColumn(m, c, name)
			got = append(got, col{c.Name, name, oid, n})
		}
	}
	if len(got) < 10 {
		t.Fatalf("fixture too small: %d columns", len(got))
	}
	sortCols := func(cs []col) {
		for i := range cs {
			for j := i + 1; j < len(cs); j++ {
				if cs[j].Cube < cs[i].Cube || cs[j].Cube == cs[i].Cube && cs[j].AttNum < cs[i].AttNum {
					cs[i], cs[j] = cs[j], cs[i]
				}
			}
		}
	}
	sortCols(want)
	sortCols(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CubeColumn disagrees with pg_attribute (-catalog +CubeColumn):\n%s", diff)
	}
	if oid, n := CubeColumn(m, m.Cubes[0], "no_such_member"); oid != 0 || n != 0 {
		t.Errorf("unknown member: %d, %d", oid, n)
	}
	if oid, n := CubeColumn(nil, m.Cubes[0], "id"); oid != 0 || n != 0 {
		t.Errorf("nil model: %d, %d", oid, n)
	}
}

func BenchmarkCubeColumn(b *testing.B) {
	m := sharedFixture
	c := m.Cubes[0]
	name := c.Dimensions[0].Name
	b.ReportAllocs()
	for b.Loop() {
		CubeColumn(m, c, name)
	}
}

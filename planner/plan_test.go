package planner

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/lattice-sql/lattice/planner/catalog"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

var (
	fixtureOnce  sync.Once
	fixture      *schema.Model
	fixtureError error
)

// fixtureModel compiles testdata/model once per test binary.
func fixtureModel(tb testing.TB) *schema.Model {
	tb.Helper()
	fixtureOnce.Do(func() {
		fixture, fixtureError = schema.Load(tb.Context(), schema.DirRepository{Root: "testdata/model"})
	})
	if fixtureError != nil {
		tb.Fatalf("fixture model: %v", fixtureError)
	}
	return fixture
}

var dialects = []dialect.Dialect{dialect.Postgres, dialect.MySQL, dialect.MongoBI}

func goldenFiles(tb testing.TB) []string {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no golden files: %v", err)
	}
	return files
}

// TestGolden runs the datadriven files in testdata. Commands:
//
//	plan [oids=(25,0)] [params=(...)]   SQL in, plan per dialect out
//
// params are values for the integration test only. Rewrite with -rewrite.
func TestGolden(t *testing.T) {
	m := fixtureModel(t)
	for _, path := range goldenFiles(t) {
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			switch td.Cmd {
			case "plan":
				return runPlan(m, td)
			}
			t.Fatalf("unknown command %q", td.Cmd)
			return ""
		})
	}
}

func declaredOIDs(td *datadriven.TestData) []uint32 {
	var oids []uint32
	for _, a := range td.CmdArgs {
		if a.Key != "oids" {
			continue
		}
		for _, v := range a.Vals {
			n, _ := strconv.ParseUint(v, 10, 32)
			oids = append(oids, uint32(n))
		}
	}
	return oids
}

func runPlan(m *schema.Model, td *datadriven.TestData) string {
	oids := declaredOIDs(td)
	outs := make([]string, len(dialects))
	for i, d := range dialects {
		outs[i] = describe(Plan(m, d, td.Input, oids))
	}
	var b strings.Builder
	if outs[0] == outs[1] && outs[1] == outs[2] {
		b.WriteString(outs[0])
		return b.String()
	}
	for i, d := range dialects {
		if i == 2 && outs[2] == outs[1] {
			continue
		}
		fmt.Fprintf(&b, "%s:\n%s", d.Name(), indent(outs[i]))
	}
	return b.String()
}

func indent(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ") + "\n"
}

// describe prints a plan result in a stable text form.
func describe(sts []*Statement, err error) string {
	if err != nil {
		e := pgerr.From(err)
		s := fmt.Sprintf("error (%s): %s\n", e.Code, e.Message)
		if e.Hint != "" {
			s += "hint: " + e.Hint + "\n"
		}
		if e.Position != 0 {
			s += fmt.Sprintf("position: %d\n", e.Position)
		}
		return s
	}
	var b strings.Builder
	for i, st := range sts {
		if i > 0 {
			b.WriteString("---\n")
		}
		describeStatement(&b, st)
	}
	return b.String()
}

var kindNames = map[Kind]string{KindEmpty: "empty", KindBackend: "backend", KindLocal: "local", KindUtility: "utility"}

var utilityNames = map[UtilityKind]string{
	UtilitySet: "set", UtilityReset: "reset", UtilityBegin: "begin", UtilityCommit: "commit",
	UtilityRollback: "rollback", UtilityDiscardAll: "discard all", UtilityDeallocate: "deallocate",
	UtilityDeclareCursor: "declare cursor", UtilityFetch: "fetch", UtilityClose: "close",
}

func describeStatement(b *strings.Builder, st *Statement) {
	fmt.Fprintf(b, "%s %s\n", kindNames[st.Kind], st.Tag)
	if st.SQL != "" {
		b.WriteString(st.SQL + "\n")
	}
	if len(st.Columns) > 0 {
		cols := make([]string, len(st.Columns))
		for i, c := range st.Columns {
			cols[i] = c.Name + " " + oidName(c.OID) + origin(c)
		}
		b.WriteString("columns: " + strings.Join(cols, ", ") + "\n")
	}
	if len(st.Args) > 0 {
		fmt.Fprintf(b, "args: %v\n", st.Args)
	}
	if len(st.ParamOIDs) > 0 {
		fmt.Fprintf(b, "param oids: %v\n", st.ParamOIDs)
	}
	if u := st.Utility; u != nil {
		fmt.Fprintf(b, "%s", utilityNames[u.Kind])
		if u.Name != "" {
			fmt.Fprintf(b, " name=%q", u.Name)
		}
		if u.Value != "" {
			fmt.Fprintf(b, " value=%q", u.Value)
		}
		if u.Local {
			b.WriteString(" local")
		}
		if u.Kind == UtilityFetch {
			fmt.Fprintf(b, " count=%d", u.Count)
		}
		b.WriteString("\n")
		if u.Cursor != nil {
			b.WriteString("cursor: ")
			describeStatement(b, u.Cursor)
		}
	}
	if st.Kind == KindLocal && st.Local != nil && st.Tag == "EXPLAIN" {
		rows, err := st.Local(&Session{}, nil)
		if err != nil {
			fmt.Fprintf(b, "rows error: %v\n", err)
		}
		for _, r := range rows {
			fmt.Fprintf(b, "row: %v\n", r...)
		}
	}
}

// origin prints the cube column a result column comes from, found back
// through catalog.CubeColumn, as " (cube.member)".
func origin(c Column) string {
	if c.TableOID == 0 && c.AttNum == 0 {
		return ""
	}
	if fixture != nil {
		for _, cube := range fixture.Cubes {
			var names []string
			for _, x := range cube.Measures {
				names = append(names, x.Name)
			}
			for _, x := range cube.Dimensions {
				names = append(names, x.Name)
			}
			for _, x := range cube.Segments {
				names = append(names, x.Name)
			}
			for _, name := range append(names, "__user", "__cubeJoinField") {
				if oid, n := catalog.CubeColumn(fixture, cube, name); oid == c.TableOID && n == c.AttNum {
					return " (" + cube.Name + "." + name + ")"
				}
			}
		}
	}
	return fmt.Sprintf(" (table %d attnum %d)", c.TableOID, c.AttNum)
}

// oidName is the short PostgreSQL name of a result type.
func oidName(oid uint32) string {
	switch oid {
	case oidBool:
		return "bool"
	case oidInt4:
		return "int4"
	case oidInt8:
		return "int8"
	case oidNumeric:
		return "numeric"
	case oidText:
		return "text"
	case oidTimestamp:
		return "timestamp"
	case oidDate:
		return "date"
	}
	return fmt.Sprintf("oid%d", oid)
}

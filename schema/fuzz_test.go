package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// FuzzLoad: no input panics; a failure is always a 42P17 listing positioned
// problems; a success satisfies the Model invariants of doc.go.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/shop/*.yml")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(okCube)
	f.Add("")
	f.Add("cubes: [")
	f.Add("a: &a [*a]\ncubes: *a\n")
	f.Add("cubes:\n  - &c {name: a, sql_table: t, dimensions: [{name: x, sql: '{x}', type: string}]}\n  - *c\n")
	f.Add("cubes:\n  - name: a\n    sql_table: a\n    measures:\n      - {name: m, type: number, sql: '${CUBE.m} + {a.n}'}\n      - {name: n, type: sum, sql: '{m}'}\n")
	f.Add("cubes:\n  - name: a\n    sql: SELECT {b}\n    joins: [{name: b, relationship: hasMany, sql: '{b.x}'}]\n")

	f.Fuzz(func(t *testing.T, yaml string) {
		m, err := Compile([]File{{Name: "f.yml", Content: []byte(yaml)}, {Name: "shop.yml", Content: []byte(okCube)}})
		if err != nil {
			if m != nil {
				t.Fatal("model and error")
			}
			var pe *pgerr.Error
			if !errors.As(err, &pe) || pe.Code != pgerr.InvalidObjectDefinition {
				t.Fatalf("not a 42P17: %#v", err)
			}
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("no Errors in %v", err)
			}
			if !strings.HasPrefix(pe.Message, es[0].Error()) {
				t.Fatalf("message %q does not start with the first problem %q", pe.Message, es[0])
			}
			for _, e := range es {
				if e.File == "" || e.Msg == "" {
					t.Fatalf("problem without file or message: %#v", e)
				}
			}
			return
		}
		checkInvariants(t, m)
	})
}

func checkInvariants(t *testing.T, m *Model) {
	t.Helper()
	names := map[string]bool{}
	for _, c := range m.Cubes {
		if names[c.Name] || !isIdent(c.Name) || m.Cube(c.Name) != c {
			t.Fatalf("cube name %q duplicated, invalid or not indexed", c.Name)
		}
		names[c.Name] = true
		if (c.SQLTable == "") == c.SQL.IsEmpty() {
			t.Fatalf("cube %q: sql_table %q, sql %q", c.Name, c.SQLTable, c.SQL.Source)
		}
		templates := []Template{c.SQL}
		for _, x := range c.Measures {
			if x.Cube != c || c.Member(x.Name) != any(x) {
				t.Fatalf("measure %s not indexed", x.Name)
			}
			templates = append(templates, x.SQL)
			templates = append(templates, x.Filters...)
		}
		for _, x := range c.Dimensions {
			if x.Cube != c || c.Member(x.Name) != any(x) || x.SQL.IsEmpty() {
				t.Fatalf("dimension %s not indexed or without sql", x.Name)
			}
			templates = append(templates, x.SQL)
		}
		for _, x := range c.Segments {
			if x.Cube != c || c.Member(x.Name) != any(x) {
				t.Fatalf("segment %s not indexed", x.Name)
			}
			templates = append(templates, x.SQL)
		}
		for _, j := range c.Joins {
			if j.From != c || j.To == nil || m.Cube(j.To.Name) != j.To || j.SQL.IsEmpty() {
				t.Fatalf("join of %s unresolved", c.Name)
			}
			templates = append(templates, j.SQL)
		}
		for _, tpl := range templates {
			for _, p := range tpl.Parts {
				switch p.Kind {
				case TextPart:
				case CubePart:
					if m.Cube(p.Cube.Name) != p.Cube {
						t.Fatalf("part refers to a foreign cube")
					}
				case MemberPart:
					if m.Cube(p.Cube.Name) != p.Cube || p.Member == nil {
						t.Fatalf("unresolved member part in %q", tpl.Source)
					}
				}
			}
		}
		for _, other := range m.Cubes {
			if _, err := m.JoinPath(c, other); err != nil && pgerr.Code(err) != pgerr.FeatureNotSupported {
				t.Fatalf("JoinPath: %v", err)
			}
		}
	}
}

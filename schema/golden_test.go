package schema

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestCompileGolden runs testdata/compile/*.txt. Each case is
//
//	compile
//	-- a.yml --
//	cubes: ...
//	-- b.yml --
//	...
//	----
//	<the compiled model, or the errors>
//
// Run with -rewrite to regenerate the expectations.
func TestCompileGolden(t *testing.T) {
	datadriven.Walk(t, "testdata/compile", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "compile":
				files, err := splitFiles(d.Input)
				if err != nil {
					d.Fatalf(t, "%v", err)
				}
				m, err := Compile(files)
				if err != nil {
					var es Errors
					if !errors.As(err, &es) {
						d.Fatalf(t, "error without Errors: %v", err)
					}
					return "error (42P17):\n" + es.Error() + "\n"
				}
				return dump(m)
			default:
				d.Fatalf(t, "unknown command %q", d.Cmd)
				return ""
			}
		})
	})
}

// splitFiles cuts "-- name --" separated input into files.
func splitFiles(input string) ([]File, error) {
	var files []File
	for line := range strings.Lines(input) {
		if name, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "-- "); ok && strings.HasSuffix(name, " --") {
			files = append(files, File{Name: strings.TrimSuffix(name, " --")})
			continue
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("input must start with a -- file.yml -- line")
		}
		f := &files[len(files)-1]
		f.Content = append(f.Content, line...)
	}
	return files, nil
}

// dump prints a model with every template reference resolved, so a golden
// file shows what each {reference} became.
func dump(m *Model) string {
	var b strings.Builder
	for _, c := range m.Cubes {
		fmt.Fprintf(&b, "cube %s @%s", c.Name, c.Pos)
		if c.SQLTable != "" {
			fmt.Fprintf(&b, " table=%s", c.SQLTable)
		} else {
			fmt.Fprintf(&b, " sql=%s", render(c.SQL))
		}
		attrs(&b, c.Title, c.Description, c.Public)
		b.WriteByte('\n')
		for _, x := range c.Measures {
			fmt.Fprintf(&b, "  measure %s %s @%s", x.Name, x.Type, x.Pos)
			if !x.SQL.IsEmpty() {
				fmt.Fprintf(&b, " sql=%s", render(x.SQL))
			}
			for _, f := range x.Filters {
				fmt.Fprintf(&b, " filter=%s", render(f))
			}
			attrs(&b, x.Title, x.Description, x.Public)
			b.WriteByte('\n')
		}
		for _, x := range c.Dimensions {
			fmt.Fprintf(&b, "  dimension %s %s @%s sql=%s", x.Name, x.Type, x.Pos, render(x.SQL))
			if x.PrimaryKey {
				b.WriteString(" primary_key")
			}
			attrs(&b, x.Title, x.Description, x.Public)
			b.WriteByte('\n')
		}
		for _, x := range c.Segments {
			fmt.Fprintf(&b, "  segment %s @%s sql=%s", x.Name, x.Pos, render(x.SQL))
			attrs(&b, x.Title, x.Description, x.Public)
			b.WriteByte('\n')
		}
		for _, j := range c.Joins {
			fmt.Fprintf(&b, "  join %s -> %s %s @%s sql=%s\n", j.From.Name, j.To.Name, j.Relationship, j.Pos, render(j.SQL))
		}
	}
	return b.String()
}

func attrs(b *strings.Builder, title, description string, public bool) {
	if title != "" {
		fmt.Fprintf(b, " title=%q", title)
	}
	if description != "" {
		fmt.Fprintf(b, " description=%q", description)
	}
	if !public {
		b.WriteString(" private")
	}
}

// render shows a template with <cube x> and <kind x.member> for references.
func render(t Template) string {
	var b strings.Builder
	b.WriteByte('`')
	for _, p := range t.Parts {
		switch p.Kind {
		case TextPart:
			b.WriteString(p.Text)
		case CubePart:
			fmt.Fprintf(&b, "<cube %s>", p.Cube.Name)
		case MemberPart:
			var kind, name string
			switch m := p.Member.(type) {
			case *Measure:
				kind, name = "measure", m.Name
			case *Dimension:
				kind, name = "dimension", m.Name
			case *Segment:
				kind, name = "segment", m.Name
			}
			fmt.Fprintf(&b, "<%s %s.%s>", kind, p.Cube.Name, name)
		}
	}
	b.WriteByte('`')
	return b.String()
}

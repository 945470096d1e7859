package schema

import (
	"strings"
	"testing"
)

// BenchmarkCompile compiles the shop fixture: parse, resolve, check. The
// target is under 1 ms for three cubes (orders, users, organizations); all
// four adds line_items.
func BenchmarkCompile(b *testing.B) {
	files, err := DirRepository{Root: "testdata/shop"}.Files(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	// Three cubes: without line_items, nor the orders join to it (the
	// last entry of orders.yml).
	var three []File
	for _, f := range files {
		if f.Name == "orders.yml" {
			s := string(f.Content)
			i := strings.Index(s, "      - name: line_items")
			if i < 0 {
				b.Fatal("orders.yml no longer ends with its line_items join")
			}
			f.Content = []byte(s[:i])
		}
		if !strings.HasPrefix(f.Name, "sales/") {
			three = append(three, f)
		}
	}
	for _, bb := range []struct {
		name  string
		files []File
	}{{"three_cubes", three}, {"four_cubes", files}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(bb.files); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJoinTree is the planner's per-query join work on that model:
// line_items joined to organizations through orders and users.
func BenchmarkJoinTree(b *testing.B) {
	m := loadShop(b)
	root := m.Cube("line_items")
	cubes := []*Cube{m.Cube("organizations"), m.Cube("users")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.JoinTree(root, cubes); err != nil {
			b.Fatal(err)
		}
	}
}

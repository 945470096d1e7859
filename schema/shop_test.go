package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

func loadShop(t testing.TB) *Model {
	t.Helper()
	m, err := Load(t.Context(), DirRepository{Root: "testdata/shop"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestShopModel checks the compiled structure of the fixture model: the
// shape summarised, then the pointers the planner relies on.
func TestShopModel(t *testing.T) {
	m := loadShop(t)

	type summary struct {
		Cube, Table, SQL string
		Public           bool
		Measures         []string
		Dimensions       []string
		Segments         []string
		Joins            []string
		PrimaryKeys      []string
	}
	var got []summary
	for _, c := range m.Cubes {
		s := summary{Cube: c.Name, Table: c.SQLTable, SQL: c.SQL.Source, Public: c.Public}
		for _, x := range c.Measures {
			s.Measures = append(s.Measures, x.Name+":"+string(x.Type))
		}
		for _, x := range c.Dimensions {
			s.Dimensions = append(s.Dimensions, x.Name+":"+string(x.Type))
		}
		for _, x := range c.Segments {
			s.Segments = append(s.Segments, x.Name)
		}
		for _, j := range c.Joins {
			s.Joins = append(s.Joins, j.To.Name+":"+string(j.Relationship))
		}
		for _, d := range c.PrimaryKeys() {
			s.PrimaryKeys = append(s.PrimaryKeys, d.Name)
		}
		got = append(got, s)
	}
	// Files sort by path: orders.yml, organizations.yml, sales/line_items.yml, users.yml.
	want := []summary{
		{Cube: "orders", Table: "public.orders", Public: true,
			Measures:    []string{"count:count", "total_amount:sum", "completed_count:count", "completed_ratio:number", "customers:count_distinct"},
			Dimensions:  []string{"id:number", "user_id:number", "status:string", "created_at:time", "customer_name:string"},
			Segments:    []string{"completed"},
			Joins:       []string{"users:many_to_one", "line_items:one_to_many"},
			PrimaryKeys: []string{"id"}},
		{Cube: "organizations", SQL: "SELECT * FROM public.organizations WHERE deleted_at IS NULL", Public: true,
			Dimensions: []string{"id:number", "name:string", "active:boolean"}, PrimaryKeys: []string{"id"}},
		{Cube: "line_items", Table: "public.line_items", Public: false,
			Measures:    []string{"count:count", "quantity:sum", "avg_price:avg", "max_price:max", "min_price:min", "products:count_distinct_approx"},
			Dimensions:  []string{"id:number", "order_id:number"},
			PrimaryKeys: []string{"id"}},
		{Cube: "users", Table: "public.users", Public: true,
			Measures:    []string{"count:count"},
			Dimensions:  []string{"id:number", "name:string", "organization_id:number"},
			Joins:       []string{"organizations:many_to_one"},
			PrimaryKeys: []string{"id"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("model (-want +got):\n%s", diff)
	}

	orders, users := m.Cube("orders"), m.Cube("users")
	if m.Cube("ORDERS") != orders || m.Cube("Orders") != orders || m.Cube("nope") != nil {
		t.Error("Cube lookup is not exact-then-case-insensitive")
	}
	if orders.Member("STATUS") != any(orders.Dimension("status")) || orders.Measure("status") != nil || orders.Segment("completed") == nil {
		t.Error("member lookup is wrong")
	}
	if orders.Joins[0].From != orders || orders.Joins[0].To != users {
		t.Error("orders → users join is not linked")
	}
	if d := orders.Dimension("user_id"); d.Public || d.SQL.Parts[0].Cube != orders {
		t.Errorf("user_id: public %v, parts %+v", d.Public, d.SQL.Parts)
	}
	cn := orders.Dimension("customer_name").SQL.Parts
	if len(cn) != 1 || cn[0].Kind != MemberPart || cn[0].Cube != users || cn[0].Member != any(users.Dimension("name")) {
		t.Errorf("customer_name parts = %+v", cn)
	}
	ratio := orders.Measure("completed_ratio").SQL.Parts
	wantKinds := []PartKind{TextPart, MemberPart, TextPart, MemberPart, TextPart}
	var kinds []PartKind
	for _, p := range ratio {
		kinds = append(kinds, p.Kind)
	}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" || ratio[1].Member != any(orders.Measure("completed_count")) || ratio[3].Member != any(orders.Measure("count")) {
		t.Errorf("completed_ratio parts (-want +got kinds):\n%s", diff)
	}
	f := orders.Measure("completed_count").Filters
	if len(f) != 1 || f[0].Source != "{CUBE}.status = 'completed'" || f[0].Parts[0].Kind != CubePart || f[0].Parts[1].Text != ".status = 'completed'" {
		t.Errorf("completed_count filters = %+v", f)
	}
	if c := orders.Measure("count"); !c.SQL.IsEmpty() || c.Cube != orders || c.Pos != (Pos{File: "orders.yml", Line: 10, Column: 9}) {
		t.Errorf("count: sql %q, pos %v", c.SQL.Source, c.Pos)
	}
}

func TestJoinPath(t *testing.T) {
	m := loadShop(t)
	c := m.Cube
	type step struct {
		From, To     string
		Rel          Relationship
		Reversed     bool
		Multiplies   bool
		Declared     string
		DeclaredFrom string
	}
	tests := []struct {
		from, to string
		want     []step
	}{
		{"orders", "orders", nil},
		{"orders", "users", []step{{"orders", "users", ManyToOne, false, false, "orders", "orders"}}},
		{"orders", "organizations", []step{
			{"orders", "users", ManyToOne, false, false, "orders", "orders"},
			{"users", "organizations", ManyToOne, false, false, "users", "users"},
		}},
		{"organizations", "orders", []step{
			{"organizations", "users", OneToMany, true, true, "users", "users"},
			{"users", "orders", OneToMany, true, true, "orders", "orders"},
		}},
		{"line_items", "users", []step{
			{"line_items", "orders", ManyToOne, true, false, "orders", "orders"},
			{"orders", "users", ManyToOne, false, false, "orders", "orders"},
		}},
		{"orders", "line_items", []step{{"orders", "line_items", OneToMany, false, true, "orders", "orders"}}},
	}
	for _, tt := range tests {
		t.Run(tt.from+"→"+tt.to, func(t *testing.T) {
			path, err := m.JoinPath(c(tt.from), c(tt.to))
			if err != nil {
				t.Fatal(err)
			}
			var got []step
			for _, s := range path {
				got = append(got, step{s.From().Name, s.To().Name, s.Relationship(), s.Reversed, s.Multiplies(), s.Join.From.Name, s.Join.From.Name})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("path (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJoinPathPreference(t *testing.T) {
	// a→b→d and a→c→d are both two hops: a's joins in declaration order
	// pick b. A cube's own joins come before joins walked in reverse, and
	// those in model order (c before b). e↔d is declared both ways.
	m := compile(t, `cubes:
  - name: a
    sql_table: a
    joins:
      - {name: b, relationship: many_to_one, sql: "1=1"}
      - {name: c, relationship: many_to_one, sql: "1=1"}
      - {name: e, relationship: one_to_one, sql: "1=1"}
  - name: c
    sql_table: c
    joins:
      - {name: d, relationship: many_to_one, sql: "1=1"}
  - name: b
    sql_table: b
    joins:
      - {name: d, relationship: many_to_one, sql: "1=1"}
  - name: d
    sql_table: d
    joins:
      - {name: e, relationship: one_to_many, sql: "1=1"}
  - name: e
    sql_table: e
    joins:
      - {name: d, relationship: many_to_one, sql: "1=1"}
  - name: f
    sql_table: f
    joins:
      - {name: e, relationship: one_to_one, sql: "1=1"}
      - {name: d, relationship: one_to_one, sql: "1=1"}
  - name: island
    sql_table: island
`)
	path := func(from, to string) string {
		p, err := m.JoinPath(m.Cube(from), m.Cube(to))
		if err != nil {
			return "error " + pgerr.Code(err) + ": " + err.Error()
		}
		s := from
		for _, st := range p {
			arrow := " -> "
			if st.Reversed {
				arrow = " <- "
			}
			s += arrow + st.To().Name
		}
		return s
	}
	for _, tt := range []struct{ from, to, want string }{
		{"a", "d", "a -> b -> d"},
		{"d", "a", "d -> e <- a"}, // d's own join comes first
		{"d", "c", "d <- c"},
		{"b", "c", "b -> d <- c"}, // b's own join before b <- a
		{"e", "a", "e <- a"},
		{"d", "b", "d <- b"},
		{"a", "e", "a -> e"},
		{"d", "e", "d -> e"}, // d's own join first
		{"e", "d", "e -> d"},
		{"e", "f", "e <- f"},
		{"c", "f", "c -> d <- f"},
		{"island", "a", `error 0A000: cannot join cube "island" to cube "a": the data model has no join path between them`},
	} {
		if got := path(tt.from, tt.to); got != tt.want {
			t.Errorf("JoinPath(%s, %s) = %s, want %s", tt.from, tt.to, got, tt.want)
		}
	}
	other := compile(t, "cubes:\n  - name: a\n    sql_table: a\n")
	if _, err := m.JoinPath(m.Cube("a"), other.Cube("a")); err == nil {
		t.Error("JoinPath to a cube of another model succeeded")
	}
	if _, err := m.JoinPath(other.Cube("a"), m.Cube("a")); err == nil {
		t.Error("JoinPath from a cube of another model succeeded")
	}
}

func TestJoinPathReversedOrder(t *testing.T) {
	// From x only reversed joins lead out; the cube declared first wins.
	const p = "  - {name: p, sql_table: p, joins: [{name: x, relationship: many_to_one, sql: '1=1'}, {name: r, relationship: many_to_one, sql: '1=1'}]}\n"
	const q = "  - {name: q, sql_table: q, joins: [{name: x, relationship: many_to_one, sql: '1=1'}, {name: r, relationship: many_to_one, sql: '1=1'}]}\n"
	const xr = "  - {name: x, sql_table: x}\n  - {name: r, sql_table: r}\n"
	for _, tt := range []struct{ yaml, via string }{
		{"cubes:\n" + xr + p + q, "p"},
		{"cubes:\n" + xr + q + p, "q"},
	} {
		m := compile(t, tt.yaml)
		path, err := m.JoinPath(m.Cube("x"), m.Cube("r"))
		if err != nil {
			t.Fatal(err)
		}
		if len(path) != 2 || !path[0].Reversed || path[0].To().Name != tt.via || path[1].Reversed || path[1].To().Name != "r" {
			t.Errorf("x → r goes through %v, want %s", path, tt.via)
		}
	}
}

func TestJoinTree(t *testing.T) {
	m := loadShop(t)
	c := m.Cube
	names := func(steps []JoinStep) []string {
		var s []string
		for _, st := range steps {
			s = append(s, st.From().Name+">"+st.To().Name)
		}
		return s
	}
	steps, err := m.JoinTree(c("line_items"), []*Cube{c("organizations"), c("line_items"), c("users"), c("orders")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"line_items>orders", "orders>users", "users>organizations"}
	if diff := cmp.Diff(want, names(steps)); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	steps, err = m.JoinTree(c("users"), []*Cube{c("line_items"), c("organizations")})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"users>orders", "orders>line_items", "users>organizations"}
	if diff := cmp.Diff(want, names(steps)); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	if steps, err := m.JoinTree(c("users"), nil); err != nil || len(steps) != 0 {
		t.Errorf("empty tree = %v, %v", steps, err)
	}
}

func compile(t testing.TB, yaml string) *Model {
	t.Helper()
	m, err := Compile([]File{{Name: "m.yml", Content: []byte(yaml)}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

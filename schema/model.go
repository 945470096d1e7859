package schema

// A Model is a tenant's compiled data model: its cubes, with every SQL
// template resolved to the members and cubes it references. A Model is
// immutable after Compile and safe for concurrent use.
type Model struct {
	Cubes []*Cube // in file order, then declaration order

	byName map[string]*Cube // exact name
	byFold map[string]*Cube // lowercase name, for unquoted SQL identifiers
}

// Cube returns the cube with the given name: the exact name first, then a
// case-insensitive match (unquoted SQL identifiers fold to lower case).
func (m *Model) Cube(name string) *Cube {
	if c, ok := m.byName[name]; ok {
		return c
	}
	return m.byFold[lower(name)]
}

// A Cube is one table of the semantic layer.
type Cube struct {
	Name        string
	Title       string
	Description string
	Public      bool
	SQLTable    string   // backend table, e.g. "public.orders"; empty when SQL is set
	SQL         Template // a subquery; empty when SQLTable is set

	Measures   []*Measure
	Dimensions []*Dimension
	Segments   []*Segment
	Joins      []*Join

	Pos Pos

	members map[string]any // *Measure, *Dimension or *Segment by exact name
	folded  map[string]any // the same by lowercase name
	index   int            // position in Model.Cubes
	edges   []JoinStep     // joins walkable from this cube: its own, then reversed ones in model order
}

// Member returns the measure, dimension or segment with the given name
// (exact first, then case-insensitive), or nil.
func (c *Cube) Member(name string) any {
	if m, ok := c.members[name]; ok {
		return m
	}
	return c.folded[lower(name)]
}

// Measure returns the named measure or nil.
func (c *Cube) Measure(name string) *Measure { m, _ := c.Member(name).(*Measure); return m }

// Dimension returns the named dimension or nil.
func (c *Cube) Dimension(name string) *Dimension {
	d, _ := c.Member(name).(*Dimension)
	return d
}

// Segment returns the named segment or nil.
func (c *Cube) Segment(name string) *Segment { s, _ := c.Member(name).(*Segment); return s }

// PrimaryKeys returns the cube's primary_key dimensions in declaration order.
func (c *Cube) PrimaryKeys() []*Dimension {
	var pks []*Dimension
	for _, d := range c.Dimensions {
		if d.PrimaryKey {
			pks = append(pks, d)
		}
	}
	return pks
}

// MeasureType is a Cube measure type.
type MeasureType string

const (
	Count               MeasureType = "count"
	CountDistinct       MeasureType = "count_distinct"
	CountDistinctApprox MeasureType = "count_distinct_approx"
	Sum                 MeasureType = "sum"
	Avg                 MeasureType = "avg"
	Min                 MeasureType = "min"
	Max                 MeasureType = "max"
	Number              MeasureType = "number"
)

// A Measure is an aggregate. SQL is empty for a count without a column.
type Measure struct {
	Cube        *Cube
	Name        string
	Title       string
	Description string
	Type        MeasureType
	SQL         Template
	Filters     []Template // each a boolean condition; all must hold for a row to count
	Public      bool
	Pos         Pos
}

// DimensionType is a Cube dimension type.
type DimensionType string

const (
	String  DimensionType = "string"
	Numeric DimensionType = "number"
	Time    DimensionType = "time"
	Boolean DimensionType = "boolean"
)

// A Dimension is a per-row attribute.
type Dimension struct {
	Cube        *Cube
	Name        string
	Title       string
	Description string
	Type        DimensionType
	SQL         Template
	PrimaryKey  bool
	Public      bool
	Pos         Pos
}

// A Segment is a named boolean filter.
type Segment struct {
	Cube        *Cube
	Name        string
	Title       string
	Description string
	SQL         Template
	Public      bool
	Pos         Pos
}

// Relationship is a join's cardinality, seen from the cube that declares it.
type Relationship string

const (
	ManyToOne Relationship = "many_to_one" // legacy belongs_to
	OneToMany Relationship = "one_to_many" // legacy has_many
	OneToOne  Relationship = "one_to_one"  // legacy has_one
)

// A Join is an edge of the join graph, declared on From.
type Join struct {
	From         *Cube
	To           *Cube
	Relationship Relationship
	SQL          Template // the ON condition
	Pos          Pos
}

// Pos is a place in a model file, for error messages.
type Pos struct {
	File   string
	Line   int
	Column int
}

// PartKind says what a template part stands for.
type PartKind uint8

const (
	// TextPart is literal SQL text.
	TextPart PartKind = iota
	// CubePart is {CUBE} or {other_cube}: the alias of Cube in the query.
	CubePart
	// MemberPart is {member}, {CUBE.member} or {other_cube.member}: the SQL
	// of Member (a *Measure, *Dimension or *Segment of Cube).
	MemberPart
)

// A Part is one piece of a compiled SQL template.
type Part struct {
	Kind   PartKind
	Text   string // TextPart only
	Cube   *Cube  // CubePart and MemberPart
	Member any    // MemberPart: *Measure, *Dimension or *Segment
}

// A Template is a compiled SQL expression from the model: text with its
// {references} resolved. The zero Template is empty.
type Template struct {
	Source string // as written in the model, for messages
	Parts  []Part
}

// IsEmpty reports whether the template has no SQL.
func (t Template) IsEmpty() bool { return t.Source == "" && len(t.Parts) == 0 }

func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
